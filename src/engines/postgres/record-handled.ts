import type { Lease } from '../../core/engine.js';
import { LeaseLostError } from '../../core/errors.js';
import type { Statements } from './statements.js';
import type { PgPoolClient } from './types.js';

interface Identity {
  readonly source: string;
  readonly id: string;
}

interface Call {
  readonly lease: Lease;
  readonly position: number;
  readonly handled: readonly Identity[];
  resolve(recorded: Set<string>): void;
  reject(err: unknown): void;
}

const identity = (e: Identity) => `${e.source}\u0000${e.id}`;

/** The claimers' order (consume.ts): by id, then by source in UTF-16 code units. */
function byIdentity(a: Identity, b: Identity): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.source < b.source ? -1 : a.source > b.source ? 1 : 0;
}

/** Runs one statement on a pooled connection (the engine's `own`). */
export type RunStatement = <T>(what: string, fn: (c: PgPoolClient) => Promise<T>) => Promise<T>;

/**
 * The engine's `recordHandled`: the records of one group's partitions go together, one statement
 * per round. While a group's statement runs, the calls that arrive wait and go in its next one, so
 * under load many partitions share a transaction and at low rates each call costs one round trip.
 *
 * Guaranteed: a call resolves only after its rows and position committed, and rejects with
 * LeaseLostError (having recorded nothing) when its member no longer held the lease when the
 * statement took it. A call that fails another way (a broken connection) rejects with that error;
 * its rows may then have committed, and calling again reports them as recorded before.
 */
export class HandledRecorder {
  private readonly waiting = new Map<string, Call[]>();
  private readonly running = new Set<string>();

  constructor(
    private readonly st: Statements,
    private readonly run: RunStatement,
    private readonly now: () => number,
  ) {}

  record(lease: Lease, position: number, handled: readonly Identity[]): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(lease.group) ?? [];
      list.push({ lease, position, handled, resolve, reject });
      this.waiting.set(lease.group, list);
      if (!this.running.has(lease.group)) void this.drain(lease.group);
    });
  }

  private async drain(group: string): Promise<void> {
    this.running.add(group);
    try {
      for (let calls = this.take(group); calls.length > 0; calls = this.take(group)) await this.send(group, calls);
    } finally {
      this.running.delete(group);
    }
  }

  private take(group: string): Call[] {
    const calls = this.waiting.get(group) ?? [];
    this.waiting.delete(group);
    return calls;
  }

  /**
   * Sends `calls` but those that would make the statement ambiguous: a partition asked for by
   * another member, or an identity of another partition's call. Those go first in the next round.
   */
  private async send(group: string, all: Call[]): Promise<void> {
    const calls: Call[] = [];
    const later: Call[] = [];
    // One position row per partition in a statement: the highest asked for.
    const leases = new Map<number, { member: string; position: number }>();
    const rows = new Map<string, Identity & { partition: number }>();
    for (const c of all) {
      const { partition, member } = c.lease;
      const prev = leases.get(partition);
      const clash = (prev && prev.member !== member) || c.handled.some((h) => (rows.get(identity(h))?.partition ?? partition) !== partition);
      if (clash) {
        later.push(c);
        continue;
      }
      calls.push(c);
      if (!prev || c.position > prev.position) leases.set(partition, { member, position: c.position });
      for (const h of c.handled) rows.set(identity(h), { id: h.id, source: h.source, partition });
    }
    if (later.length > 0) this.waiting.set(group, [...later, ...(this.waiting.get(group) ?? [])]);
    const sorted = [...rows.values()].sort(byIdentity);
    let result: { partition: number | null; id: string | null; source: string | null }[];
    try {
      result = await this.run('consume (recording handled events)', async (c) => (await c.query(this.st.recordHandled([
        group,
        [...leases.keys()], [...leases.values()].map((l) => l.member), [...leases.values()].map((l) => l.position),
        sorted.map((r) => r.partition), sorted.map((r) => r.id), sorted.map((r) => r.source), this.now(),
      ]))).rows as typeof result);
    } catch (err) {
      for (const c of calls) c.reject(err);
      return;
    }
    const held = new Set<number>();
    const inserted = new Set<string>();
    for (const r of result) {
      if (r.partition !== null) held.add(r.partition);
      else inserted.add(identity(r as Identity));
    }
    const claimedBy = new Set<string>();
    for (const c of calls) {
      if (!held.has(c.lease.partition)) {
        c.reject(new LeaseLostError(group, c.lease.partition));
        continue;
      }
      const recorded = new Set<string>();
      for (const h of c.handled) {
        const k = identity(h);
        if (inserted.has(k) && !claimedBy.has(k)) {
          recorded.add(k);
          claimedBy.add(k);
        }
      }
      c.resolve(recorded);
    }
  }
}
