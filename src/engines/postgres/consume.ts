import type { BatchCommit, ConsumeTx, Lease, Tx } from '../../core/engine.js';
import { LeaseLostError } from '../../core/errors.js';
import { storeCall } from './errors.js';
import { deadLetterArrays, parkedArrays } from './rows.js';
import type { Statements } from './statements.js';
import { SeenCopies } from '../seen-copies.js';
import type { PgPoolClient, PgTx } from './types.js';

interface Identity {
  readonly source: string;
  readonly id: string;
}

const identity = (e: Identity) => `${e.source}\u0000${e.id}`;

/** One order for every claimer: by id, then by source (UTF-16 code units, the same in every process). */
function byIdentity(a: Identity, b: Identity): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.source < b.source ? -1 : a.source > b.source ? 1 : 0;
}

/**
 * The ConsumeTx of one consume transaction on `c`, and `finish`, which the engine runs after the
 * caller's function resolved and before COMMIT.
 *
 * `seen` claims identities by inserting the group's inbox rows at once (sorted, so two claimers
 * of overlapping identities wait for each other in one order and cannot deadlock); an identity
 * whose row another open transaction inserted waits for it: reported seen if it commits, claimed
 * if it rolls back. Within one call the first copy of an identity is claimed and the later copies
 * are reported seen (SeenCopies). `commit` keeps the claims listed in `handled`, deletes the
 * others and inserts the handled rows that were not claimed; `finish` deletes claims made after
 * the last `commit` (or with none). So an inbox row commits only for an identity the caller listed
 * as handled.
 */
export function consumeTx(
  c: PgPoolClient, st: Statements, lease: Lease, now: () => number, base: Tx<PgTx>,
): { tx: ConsumeTx<PgTx>; finish(): Promise<void> } {
  /** Identities claimed by this transaction and not yet settled by a commit. */
  const claims = new Map<string, Identity>();
  const arrays = (rows: readonly Identity[]) => [rows.map((r) => r.id), rows.map((r) => r.source)];

  const tx: ConsumeTx<PgTx> = {
    ...base,
    async seen(events) {
      const first = new Map<string, Identity>();
      const repeated = new Set<string>();
      for (const e of events) {
        const k = identity(e);
        if (first.has(k)) repeated.add(k);
        else first.set(k, e);
      }
      const out = new SeenCopies(repeated);
      if (first.size === 0) return out;
      const sorted = [...first.values()].sort(byIdentity);
      const res = await storeCall('consume (claiming inbox rows)', c.query(st.claim([lease.group, ...arrays(sorted), now()])));
      const claimed = new Set((res.rows as Identity[]).map(identity));
      for (const [k, e] of first) {
        if (claimed.has(k)) claims.set(k, e);
        else {
          out.add(k);
          repeated.delete(k);
        }
      }
      return out;
    },
    async openDeadLetters() {
      return ((await storeCall('consume (counting dead letters)', c.query(st.openDeadLetters([lease.group])))).rows[0] as { n: number }).n;
    },
    async commit(ch: BatchCommit) {
      const handled = ch.handled ?? [];
      const keep = new Set(handled.map(identity));
      const drop = [...claims].filter(([k]) => !keep.has(k)).map(([, e]) => e);
      // Handled rows this transaction claimed are in the inbox already: only the others are sent.
      const unclaimed = handled.filter((h) => !claims.has(identity(h)));
      const res = await storeCall('consume (commit)', c.query(st.commitBatch([
        lease.group, lease.partition, lease.member, ch.position ?? null, ...arrays(unclaimed), now(), ...arrays(drop),
      ])));
      if ((res.rows[0] as { ok: boolean }).ok !== true) throw new LeaseLostError(lease.group, lease.partition);
      claims.clear();
      if (ch.park?.length) await storeCall('consume (parking events)', c.query(st.upsertParked(parkedArrays(ch.park))));
      if (ch.unpark?.length) await storeCall('consume (unparking events)', c.query(st.deleteParked([lease.group, lease.partition, [...ch.unpark]])));
      if (ch.deadLetters?.length) await storeCall('consume (storing dead letters)', c.query(st.insertDeadLetters(deadLetterArrays(ch.deadLetters))));
    },
  };

  async function finish(): Promise<void> {
    if (claims.size === 0) return;
    const rows = [...claims.values()];
    claims.clear();
    await storeCall('consume (dropping unhandled claims)', c.query(st.dropClaims([lease.group, ...arrays(rows)])));
  }

  return { tx, finish };
}
