import type { BatchCommit, ConsumeTx, Lease, Tx } from '../../core/engine.js';
import { LeaseLostError } from '../../core/errors.js';
import type { WriteStatements } from './statements.js';
import { deadLetterParams, parkedParams } from './rows.js';
import { SeenCopies } from '../seen-copies.js';

type Identity = { readonly source: string; readonly id: string };

const key = (e: Identity) => `${e.source}\u0000${e.id}`;

/**
 * The consume side of a write transaction for `lease`. Guarantees:
 * - `seen` claims an identity by writing its inbox row at once (one statement per event), so a
 *   later `seen` in the same transaction reports it seen; within one call the first copy of an
 *   identity is claimed and the later copies are reported seen (SeenCopies).
 * - `commit` keeps the inbox rows of `handled` and deletes the other claims of the transaction,
 *   so what commits is exactly `handled`; a rollback drops every claim with the transaction.
 * `own` turns driver errors of these statements into StoreErrors.
 */
export function consumeTx<Db>(
  base: Tx<Db>,
  ws: WriteStatements,
  lease: Lease,
  now: () => number,
  own: <T>(what: string, fn: () => T) => T,
): ConsumeTx<Db> {
  const claimed = new Map<string, Identity>();
  return {
    ...base,
    async seen(events) {
      return own('seen', () => {
        const repeated = new Set<string>();
        const out = new SeenCopies(repeated);
        /** Identities of this call: true when this call claimed them. */
        const inCall = new Map<string, boolean>();
        const at = now();
        for (const e of events) {
          const identity = key(e);
          const claimedHere = inCall.get(identity);
          if (claimedHere !== undefined) {
            if (claimedHere) repeated.add(identity);
            continue;
          }
          const claimedNow = ws.insertInbox.run(lease.group, e.id, e.source, at).changes === 1;
          inCall.set(identity, claimedNow);
          if (claimedNow) claimed.set(identity, e);
          else out.add(identity);
        }
        return out;
      });
    },
    async openDeadLetters() {
      return own('openDeadLetters', () => ws.openDeadLetters.get(lease.group)!.n);
    },
    async commit(c: BatchCommit) {
      own('commit', () => {
        const owner = ws.leaseOwner.get(lease.group, lease.partition);
        if (owner?.member !== lease.member) throw new LeaseLostError(lease.group, lease.partition);
        commitChanges(ws, lease, c, now(), claimed);
      });
    },
  };
}

function commitChanges(ws: WriteStatements, lease: Lease, c: BatchCommit, now: number, claimed: Map<string, Identity>) {
  for (const h of c.handled ?? []) {
    if (!claimed.delete(key(h))) ws.insertInbox.run(lease.group, h.id, h.source, now);
  }
  for (const e of claimed.values()) ws.deleteInbox.run(lease.group, e.id, e.source);
  claimed.clear();
  for (const p of c.park ?? []) ws.upsertParked.run(...parkedParams(p));
  for (const seq of c.unpark ?? []) ws.deleteParked.run(lease.group, lease.partition, seq);
  for (const d of c.deadLetters ?? []) ws.insertDeadLetter.run(...deadLetterParams(d));
  if (c.position !== undefined) ws.setPosition.run(lease.group, lease.partition, c.position);
}
