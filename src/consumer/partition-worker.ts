import type { BatchCommit, DeadLetterRecord, Engine, Lease, LogRecord, ParkedRecord } from '../core/engine.js';
import { LeaseLostError } from '../core/errors.js';
import { invoke, prepareDelivery } from './invoke.js';
import { runByKey } from './key-scheduler.js';
import { failureChanges, type FailureChanges } from './failure-changes.js';
import type { GroupSettings } from './settings.js';

const PARKED_REFRESH_MS = 500;

/** Marks a consume transaction that must roll back because a handler failed. */
class AttemptFailed extends Error {
  constructor(readonly failure: unknown) {
    super('attempt failed');
  }
}

const identity = (r: { source: string; id: string }) => `${r.source}\u0000${r.id}`;

/**
 * Handles one partition for one group while this member holds its lease.
 *
 * Fast path: a batch is read, its handlers run in one transaction (same key in order, different
 * keys concurrently), then the inbox rows and the new position commit with their writes. If any
 * handler fails, that transaction rolls back and the batch is handled again one event per
 * transaction, so every success commits and every failure is recorded (the handlers that had
 * succeeded run again: delivery is at least once, their effects in the store apply once).
 *
 * A failed event parks its key: it waits for its next attempt in the parked table and the key's
 * later events wait behind it, while other keys go on.
 */
export class PartitionWorker {
  private position = 0;
  /** key -> parked rows in sequence order; the first is the key's head. */
  private parked = new Map<string, ParkedRecord[]>();
  private parkedLoadedAt = 0;
  private stopping = false;
  private wake: (() => void) | undefined;
  /** A poke arrived while the worker was busy: its next sleep is skipped. */
  private poked = false;
  private done: Promise<void> = Promise.resolve();
  /** Set when the worker ended because its lease was taken by another member. */
  lost = false;
  ended = false;

  constructor(
    private readonly engine: Engine,
    private readonly s: GroupSettings,
    private readonly lease: Lease,
  ) {}

  get partition(): number {
    return this.lease.partition;
  }

  start(): void {
    this.done = this.loop().finally(() => (this.ended = true));
  }

  /** Finishes the batch in flight, then ends. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
  }

  /** New events may be readable: wake now, or skip the next sleep if awake. */
  poke(): void {
    if (this.wake) this.wake();
    else this.poked = true;
  }

  private async loop(): Promise<void> {
    let errorDelay = 100;
    let positioned = false;
    while (!this.stopping) {
      try {
        if (!positioned) {
          this.position = await this.engine.position(this.s.name, this.lease.partition, this.s.startFrom);
          positioned = true;
        }
        const progressed = await this.step();
        errorDelay = 100;
        if (!progressed && !this.stopping) await this.sleep(this.idleDelay());
        // An engine may complete a whole step without waiting for I/O (SQLite does): give timers
        // (heartbeats, handler deadlines) and I/O their turn between batches.
        else await new Promise<void>((resolve) => setImmediate(resolve));
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.lost = true;
          this.s.logger.warn({ group: this.s.name, partition: this.lease.partition }, err.message);
          return;
        }
        this.s.logger.error({ group: this.s.name, partition: this.lease.partition, err: String(err) }, 'consumer step failed; retrying');
        this.parkedLoadedAt = 0;
        await this.sleep(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private idleDelay(): number {
    let delay = this.s.pollMs;
    const now = this.s.clock.now();
    for (const rows of this.parked.values()) {
      const head = rows[0];
      if (head && head.state !== 'held') delay = Math.min(delay, Math.max(0, head.nextAttemptAt - now));
    }
    return delay;
  }

  private async step(): Promise<boolean> {
    this.poked = false;
    await this.refreshParked();
    const retried = await this.retryDue();
    const records = await this.engine.read(this.lease.partition, this.position, this.s.batchSize);
    if (records.length === 0) return retried;
    await this.handleBatch(records);
    return true;
  }

  private async refreshParked(): Promise<void> {
    if (Date.now() - this.parkedLoadedAt < PARKED_REFRESH_MS) return;
    const rows = await this.engine.parked(this.s.name, this.lease.partition);
    const map = new Map<string, ParkedRecord[]>();
    for (const row of rows) {
      let list = map.get(row.key);
      if (!list) map.set(row.key, (list = []));
      list.push(row);
    }
    for (const list of map.values()) list.sort((a, b) => a.sequence - b.sequence);
    this.parked = map;
    this.parkedLoadedAt = Date.now();
  }

  private waitingRow(rec: LogRecord): ParkedRecord {
    return { group: this.s.name, partition: rec.partition, sequence: rec.sequence, key: rec.key, record: rec, state: 'waiting', attempts: 0, nextAttemptAt: 0, errors: [] };
  }

  private remember(row: ParkedRecord): void {
    const list = this.parked.get(row.key);
    if (!list) return void this.parked.set(row.key, [row]);
    const i = list.findIndex((r) => r.sequence === row.sequence);
    if (i >= 0) list[i] = row;
    else {
      list.push(row);
      list.sort((a, b) => a.sequence - b.sequence);
    }
  }

  private forget(key: string, sequence: number): void {
    const list = this.parked.get(key);
    if (!list) return;
    const rest = list.filter((r) => r.sequence !== sequence);
    if (rest.length) this.parked.set(key, rest);
    else this.parked.delete(key);
  }

  /**
   * Handles a batch in one transaction. When handlers fail, the transaction rolls back and the
   * batch runs again with those events recorded as failed attempts (parked or dead-lettered) in
   * the same transaction as everything else; after three such rounds (handlers failing at random)
   * it falls back to one transaction per event.
   */
  private async handleBatch(records: readonly LogRecord[]): Promise<void> {
    const decided = new Map<number, unknown>();
    for (let round = 0; round < 3; round++) {
      const failedNow = await this.tryBatch(records, decided);
      if (failedNow.size === 0) return;
      for (const [seq, err] of failedNow) decided.set(seq, err);
    }
    await this.handleOneByOne(records, decided);
  }

  /** One round of handleBatch; returns the handlers that failed (and rolled the round back). */
  private async tryBatch(records: readonly LogRecord[], decided: ReadonlyMap<number, unknown>): Promise<Map<number, unknown>> {
    const last = records[records.length - 1]!.sequence;
    const toRun: LogRecord[] = [];
    const park: ParkedRecord[] = [];
    for (const rec of records) {
      if (!this.s.handlers.has(rec.type)) continue;
      if (this.parked.has(rec.key)) park.push(this.waitingRow(rec));
      else toRun.push(rec);
    }
    const failedNow = new Map<number, unknown>();
    const failed: { rec: LogRecord; changes: FailureChanges }[] = [];
    let openBefore = 0;
    let handledCount = 0;
    try {
      await this.engine.consume(this.lease, async (tx) => {
        const seen = toRun.length ? await tx.seen(toRun) : new Set<string>();
        const handled: { source: string; id: string }[] = [];
        const stoppedAt = new Map<string, number>();
        await runByKey(toRun, (r) => r.key, this.s.concurrency, (rec) => {
          const id = identity(rec);
          if (seen.has(id)) return true;
          seen.add(id);
          if (decided.has(rec.sequence)) {
            failed.push({ rec, changes: failureChanges(this.s, rec, 0, decided.get(rec.sequence)) });
            stoppedAt.set(rec.key, rec.sequence);
            return false;
          }
          const fail = (err: unknown) => {
            failedNow.set(rec.sequence, err);
            return false;
          };
          let pending: void | Promise<void>;
          try {
            const delivery = prepareDelivery(rec.body, rec.type, this.s.handlers.get(rec.type)!);
            pending = invoke(delivery, tx, this.s.name, 1, this.s.logger, this.s.publisher);
          } catch (err) {
            return fail(err);
          }
          if (pending === undefined) {
            handled.push(rec);
            return true;
          }
          return pending.then(() => {
            handled.push(rec);
            return true;
          }, fail);
        });
        if (failedNow.size > 0) throw new AttemptFailed(undefined);
        // Events behind a failure of their key wait in the parked table, in order.
        for (const rec of toRun) {
          const at = stoppedAt.get(rec.key);
          if (at !== undefined && rec.sequence > at) park.push(this.waitingRow(rec));
        }
        for (const f of failed) if (f.changes.park) park.push(f.changes.park);
        const deadLetters = failed.flatMap((f) => (f.changes.deadLetter ? [f.changes.deadLetter] : []));
        if (deadLetters.length) openBefore = await tx.openDeadLetters();
        await tx.commit({ position: last, handled, park, deadLetters });
        handledCount = handled.length;
      });
    } catch (err) {
      if (err instanceof AttemptFailed) return failedNow;
      throw err;
    }
    this.position = last;
    this.committed(handledCount);
    for (const row of park) this.remember(row);
    let first = openBefore === 0;
    for (const f of failed) {
      this.logFailure(f.rec, f.changes, 1);
      if (f.changes.deadLetter) {
        await this.alert(f.changes.deadLetter, first);
        first = false;
      }
    }
    return failedNow;
  }

  /** The fallback: one transaction per event, in log order. */
  private async handleOneByOne(records: readonly LogRecord[], failures: ReadonlyMap<number, unknown>): Promise<void> {
    for (const rec of records) {
      if (!this.s.handlers.has(rec.type)) continue;
      const at = { position: rec.sequence };
      if (this.parked.has(rec.key)) {
        const row = this.waitingRow(rec);
        await this.engine.consume(this.lease, (tx) => tx.commit({ ...at, park: [row] }));
        this.remember(row);
      } else if (failures.has(rec.sequence)) {
        await this.recordFailure(rec, 0, failures.get(rec.sequence), at);
      } else {
        const failure = await this.attempt(rec, 1, at);
        if (failure !== undefined) await this.recordFailure(rec, 0, failure.error, at);
      }
      this.position = rec.sequence;
    }
    const last = records[records.length - 1]!.sequence;
    if (this.position < last) {
      await this.engine.consume(this.lease, (tx) => tx.commit({ position: last }));
      this.position = last;
    }
    this.committed(0);
  }

  /** Tells the group's onCommitted hook that a transaction of this partition committed. */
  private committed(handled: number): void {
    if (!this.s.onCommitted) return;
    try {
      this.s.onCommitted({ group: this.s.name, partition: this.lease.partition, position: this.position, handled });
    } catch (err) {
      this.s.logger.error({ group: this.s.name, err: String(err) }, 'onCommitted hook threw');
    }
  }

  /**
   * One attempt in its own transaction, committing `extra` with it on success (or when the
   * inbox shows the event was handled already). Returns the failure, or undefined on success.
   */
  private async attempt(rec: LogRecord, attempt: number, extra: BatchCommit): Promise<{ error: unknown } | undefined> {
    try {
      await this.engine.consume(this.lease, async (tx) => {
        const seen = await tx.seen([rec]);
        if (seen.size > 0) return tx.commit(extra);
        try {
          const delivery = prepareDelivery(rec.body, rec.type, this.s.handlers.get(rec.type)!);
          await invoke(delivery, tx, this.s.name, attempt, this.s.logger, this.s.publisher);
        } catch (err) {
          throw new AttemptFailed(err);
        }
        await tx.commit({ ...extra, handled: [{ source: rec.source, id: rec.id }] });
      });
      return undefined;
    } catch (err) {
      if (err instanceof AttemptFailed) return { error: err.failure };
      throw err;
    }
  }

  /** Re-runs the heads whose next attempt is due, and the waiting events behind them. */
  private async retryDue(): Promise<boolean> {
    let progressed = false;
    for (const key of [...this.parked.keys()]) {
      if (this.stopping) break;
      progressed = (await this.runKey(key)) || progressed;
    }
    return progressed;
  }

  private async runKey(key: string): Promise<boolean> {
    let progressed = false;
    for (;;) {
      const head = this.parked.get(key)?.[0];
      if (!head || head.state === 'held') return progressed;
      if (head.state === 'retrying' && head.nextAttemptAt > this.s.clock.now()) return progressed;
      progressed = true;
      const failure = await this.attempt(head.record, head.attempts + 1, { unpark: [head.sequence] });
      if (failure === undefined) {
        this.forget(key, head.sequence);
        this.committed(1);
        continue;
      }
      const released = await this.recordFailure(head.record, head.attempts, failure.error, {}, head);
      if (!released) return progressed;
    }
  }

  /**
   * Stores failed attempt number `prior + 1` in a transaction of its own. Returns true when the
   * key was released (dead letter, not strict).
   */
  private async recordFailure(rec: LogRecord, prior: number, error: unknown, extra: BatchCommit, existing?: ParkedRecord): Promise<boolean> {
    const changes = failureChanges(this.s, rec, prior, error, existing);
    let openBefore = 0;
    await this.engine.consume(this.lease, async (tx) => {
      if (changes.deadLetter) openBefore = await tx.openDeadLetters();
      await tx.commit({
        ...extra,
        ...(changes.park ? { park: [changes.park] } : {}),
        ...(changes.unpark !== undefined ? { unpark: [...(extra.unpark ?? []), changes.unpark] } : {}),
        ...(changes.deadLetter ? { deadLetters: [changes.deadLetter] } : {}),
      });
    });
    if (changes.park) this.remember(changes.park);
    else this.forget(rec.key, rec.sequence);
    this.logFailure(rec, changes, prior + 1);
    if (changes.deadLetter) await this.alert(changes.deadLetter, openBefore === 0);
    return changes.released;
  }

  private logFailure(rec: LogRecord, changes: FailureChanges, attempt: number): void {
    if (changes.retryInMs === undefined) return;
    const last = changes.park?.errors[changes.park.errors.length - 1];
    this.s.logger.warn(
      { group: this.s.name, eventId: rec.id, eventType: rec.type, key: rec.key, attempt, retryInMs: changes.retryInMs, error: last?.message },
      `attempt ${attempt} failed; key parked until the next attempt`,
    );
  }

  private async alert(deadLetter: DeadLetterRecord, first: boolean): Promise<void> {
    const fields = { group: deadLetter.group, eventType: deadLetter.eventType, subject: deadLetter.subject, eventId: deadLetter.eventId, deadLetterId: deadLetter.id, reason: deadLetter.reason };
    if (first) {
      this.s.logger.error(fields, `dead letter in group ${deadLetter.group}: ${deadLetter.eventType} ${deadLetter.subject} (event ${deadLetter.eventId}); inspect with: factline dlq show ${deadLetter.id}`);
    } else {
      this.s.logger.warn(fields, 'dead letter');
    }
    try {
      await this.s.onDeadLetter?.(deadLetter, { first });
    } catch (err) {
      this.s.logger.error({ ...fields, err: String(err) }, 'onDeadLetter hook threw');
    }
  }
}
