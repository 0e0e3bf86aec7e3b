import type { DeadLetterRecord, LogRecord, ParkedRecord } from '../core/engine.js';
import type { CommitHost } from './commit-queue.js';
import { failureChanges, type FailureChanges } from './failure-changes.js';
import { VersionAheadError } from '../core/errors.js';
import type { Registration } from './handler.js';
import { invoke, prepareDelivery, type Delivery } from './invoke.js';
import { runByKey } from './key-scheduler.js';

/**
 * An event read for a store handler: its delivery, or why it has none (malformed, unknown
 * version), or the handlers of its type (`versions`) when its body is parsed only in the batch's
 * transaction, right before its handler runs: a parsed batch waiting for the write lock would
 * outlive the young generation of the garbage collector.
 */
export interface StoreItem {
  readonly rec: LogRecord;
  readonly delivery?: Delivery;
  readonly error?: unknown;
  readonly versions?: ReadonlyMap<number, Registration>;
}

/** Marks a round that must roll back because a handler failed. */
class RoundFailed extends Error {
  constructor() {
    super('a store handler failed');
  }
}

const identity = (r: { source: string; id: string }) => `${r.source}\u0000${r.id}`;
const ROUNDS = 4;

/** Sequences of the events whose identity appeared earlier in `items` (usually none). */
function laterCopies(items: readonly StoreItem[]): Set<number> {
  const first = new Set<string>();
  const later = new Set<number>();
  for (const i of items) {
    const id = identity(i.rec);
    if (first.has(id)) later.add(i.rec.sequence);
    else first.add(id);
  }
  return later;
}

/**
 * Runs store handlers batched: one transaction for many events (same key in order, different keys
 * concurrently), whose inbox rows, parked rows and position commit with the handlers' writes.
 * When a handler fails, the round rolls back and runs again with that event recorded as a failed
 * attempt instead (its key parked, its later events waiting): store handlers' writes apply once,
 * and no outside effect is involved. After a few rounds of new failures, the events not yet
 * decided are returned, to run one transaction each. An event parsed in the transaction that
 * needs more than a store handler (a newer version the registry must be asked about) is not run:
 * it and its key's later events are returned, unresolved, for the lanes.
 */
export async function runStoreBatch(host: CommitHost, items: readonly StoreItem[]): Promise<StoreItem[]> {
  const { engine, s, lease } = host;
  const decided = new Map<number, unknown>();
  for (const item of items) if (item.error !== undefined || (!item.delivery && !item.versions)) decided.set(item.rec.sequence, item.error);
  for (let round = 0; round < ROUNDS; round++) {
    const failedNow = new Map<number, unknown>();
    const failed: { rec: LogRecord; changes: FailureChanges }[] = [];
    const park: ParkedRecord[] = [];
    const own = new Set(items.map((i) => i.rec.sequence));
    /** Keys stopped at an event that needs the lanes, at its sequence. */
    const deferredAt = new Map<string, number>();
    let handledCount = 0;
    let openBefore = 0;
    let position = 0;
    try {
      await engine.consume(lease, async (tx) => {
        // Copies of one identity in the batch: the first runs, the later ones are skipped.
        const later = laterCopies(items);
        const unique = later.size === 0 ? items.map((i) => i.rec) : items.filter((i) => !later.has(i.rec.sequence)).map((i) => i.rec);
        const seen = unique.length ? await tx.seen(unique) : new Set<string>();
        const handled: { source: string; id: string }[] = [];
        const stoppedAt = new Map<string, number>();
        /** The event fails without running (its attempt recorded), and its key stops here. */
        const fail = (rec: LogRecord, err: unknown): false => {
          failed.push({ rec, changes: failureChanges(s, rec, 0, err) });
          stoppedAt.set(rec.key, rec.sequence);
          return false;
        };
        await runByKey(items, (i) => i.rec.key, s.concurrency, (item) => {
          const rec = item.rec;
          if ((later.size > 0 && later.has(rec.sequence)) || (seen.size > 0 && seen.has(identity(rec)))) return true;
          if (decided.has(rec.sequence)) return fail(rec, decided.get(rec.sequence));
          let delivery = item.delivery;
          if (!delivery) {
            try {
              delivery = prepareDelivery(rec.body, rec.type, item.versions!, s.newer);
            } catch (err) {
              if (err instanceof VersionAheadError && !err.resolved) {
                deferredAt.set(rec.key, rec.sequence);
                return false;
              }
              decided.set(rec.sequence, err);
              return fail(rec, err);
            }
            if (delivery.registration.kind === 'effect') {
              deferredAt.set(rec.key, rec.sequence);
              return false;
            }
          }
          let pending: void | Promise<void>;
          try {
            pending = invoke(delivery, tx, s.name, 1, s.logger, s.publisher, host.tracing);
          } catch (err) {
            failedNow.set(rec.sequence, err);
            return false;
          }
          if (pending === undefined) {
            handled.push(rec);
            return true;
          }
          return pending.then(
            () => {
              handled.push(rec);
              return true;
            },
            (err: unknown) => {
              failedNow.set(rec.sequence, err);
              return false;
            },
          );
        });
        if (failedNow.size > 0) throw new RoundFailed();
        for (const item of items) {
          const at = deferredAt.get(item.rec.key);
          if (at !== undefined && item.rec.sequence >= at) own.delete(item.rec.sequence);
        }
        // Events behind a failure of their key wait in the parked table, in order.
        for (const item of items) {
          const at = stoppedAt.get(item.rec.key);
          if (at !== undefined && item.rec.sequence > at) park.push(host.waitingRow(item.rec));
        }
        for (const f of failed) if (f.changes.park) park.push(f.changes.park);
        const deadLetters: DeadLetterRecord[] = failed.flatMap((f) => (f.changes.deadLetter ? [f.changes.deadLetter] : []));
        if (deadLetters.length) openBefore = await tx.openDeadLetters();
        position = host.frontierWithout(own);
        await tx.commit({ position, handled, park, deadLetters });
        handledCount = handled.length;
      });
    } catch (err) {
      if (!(err instanceof RoundFailed)) throw err;
      for (const [seq, e] of failedNow) decided.set(seq, e);
      continue;
    }
    host.applied(position, [...own], park, handledCount);
    const deferred = deferredAt.size ? items.filter((i) => !own.has(i.rec.sequence)) : [];
    let first = openBefore === 0;
    for (const f of failed) {
      host.failed(f.rec, f.changes, 1);
      if (f.changes.deadLetter) {
        await host.alert(f.changes.deadLetter, first);
        first = false;
      }
    }
    return deferred;
  }
  // Handlers kept failing at random: the lanes run each event alone.
  return [...items];
}
