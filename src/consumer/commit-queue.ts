import type { DeadLetterRecord, Engine, Lease, LogRecord, ParkedRecord } from '../core/engine.js';
import { LeaseLostError, NonRetryableError } from '../core/errors.js';
import { cleanText, describeError } from './describe-error.js';
import { failureChanges, type FailureChanges } from './failure-changes.js';
import type { CommitStep } from './handler.js';
import { runCommitStep, type Delivery } from './invoke.js';
import type { ProcessTracing } from '../observe/telemetry.js';
import type { GroupSettings } from './settings.js';

/** What the worker asks to commit for one event it read. */
export type CommitOp =
  /** The event's effect ran: its inbox row, and its commit step if it has one. */
  | { readonly kind: 'success'; readonly rec: LogRecord; readonly delivery: Delivery; readonly attempt: number; readonly step?: CommitStep }
  /** Attempt `prior + 1` failed: parked for its next attempt, or a dead letter. */
  | { readonly kind: 'failure'; readonly rec: LogRecord; readonly prior: number; readonly error: unknown }
  /** The event waits behind its key's parked head. */
  | { readonly kind: 'waiting'; readonly rec: LogRecord }
  /** The event becomes a parked row as given (a head that runs alone, with its attempt recorded first). */
  | { readonly kind: 'park'; readonly rec: LogRecord; readonly row: ParkedRecord };

/** How the commit of an op ended. */
export type CommitOutcome = 'handled' | 'duplicate' | 'parked' | 'released';

/** What the queue needs from its worker. */
export interface CommitHost {
  readonly engine: Engine;
  readonly s: GroupSettings;
  readonly lease: Lease;
  /** Spans and durations of this partition's handler attempts; undefined when telemetry is off. */
  readonly tracing: ProcessTracing | undefined;
  /** The position to commit when the events `own` are resolved by this commit. */
  frontierWithout(own: ReadonlySet<number>): number;
  /** After a commit: the new position, the events it resolved, the parked rows it stored. */
  applied(position: number, resolved: readonly number[], park: readonly ParkedRecord[], handled: number): void;
  failed(rec: LogRecord, changes: FailureChanges, attempt: number): void;
  /** Whether the worker is stopping: a commit that keeps failing then gives up. */
  stopping(): boolean;
  alert(deadLetter: DeadLetterRecord, first: boolean): Promise<void>;
  waitingRow(rec: LogRecord): ParkedRecord;
}

interface Queued {
  op: CommitOp;
  resolve(outcome: CommitOutcome): void;
  reject(err: unknown): void;
}

/** A commit step threw: the transaction rolls back and that event is recorded as failed. */
class StepFailed extends Error {
  constructor(readonly failures: Map<Queued, unknown>) {
    super('commit step failed');
  }
}

const identity = (r: { source: string; id: string }) => `${r.source}\u0000${r.id}`;

/**
 * Commits what the worker's key lanes produce, many events per transaction: while one commit
 * runs, the ops that arrive wait and go together in the next. Each transaction is store work only
 * (inbox rows, commit steps, parked rows, dead letters, the position): no user code that waits on
 * anything else runs in it. A commit step that throws fails its own event only: the transaction
 * rolls back and commits again with that event recorded as a failed attempt.
 */
export class CommitQueue {
  private queue: Queued[] = [];
  private running: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly host: CommitHost) {}

  submit(op: CommitOp): Promise<CommitOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.running ??= this.drain().finally(() => (this.running = undefined));
    });
  }

  /** Resolves once everything submitted so far is committed (or rejected). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the lanes that finish at about the same time join one transaction.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let storeErrors = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.commit(batch);
        storeErrors = 0;
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.failure = err;
          for (const q of [...batch, ...this.queue.splice(0)]) q.reject(err);
          return;
        }
        storeErrors++;
        this.host.s.logger.error({ group: this.host.s.name, partition: this.host.lease.partition, err: String(err), attempt: storeErrors }, 'consumer commit failed; retrying');
        if (storeErrors === 3) this.simplifyFailures(batch, err);
        if (storeErrors >= 8 && this.host.stopping()) {
          for (const q of batch) q.reject(err);
          storeErrors = 0;
          continue;
        }
        this.queue.unshift(...batch);
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** storeErrors, 5000)));
      }
    }
  }

  /**
   * A failure that cannot be stored as it is (whatever its error holds) becomes a dead letter with
   * only a plain reason, so that the partition moves on.
   */
  private simplifyFailures(batch: Queued[], err: unknown): void {
    for (const q of batch) {
      if (q.op.kind !== 'failure') continue;
      const why = cleanText(describeError(err).message, 500);
      q.op = { ...q.op, error: new NonRetryableError(`its failure could not be stored as it was (${why}); the original error is lost`) };
    }
  }

  private async commit(batch: Queued[]): Promise<void> {
    for (;;) {
      try {
        return await this.commitOnce(batch);
      } catch (err) {
        if (!(err instanceof StepFailed)) throw err;
        for (const [q, error] of err.failures) {
          const op = q.op as Extract<CommitOp, { kind: 'success' }>;
          q.op = { kind: 'failure', rec: op.rec, prior: op.attempt - 1, error };
        }
      }
    }
  }

  /**
   * A batch of effects without commit steps writes only inbox rows and the position: the engine's
   * `recordHandled` stores them in a short transaction of its own (shared with other partitions'
   * where the engine groups them), one round trip instead of a consume transaction's four.
   */
  private async recordOnly(batch: Queued[], recordHandled: NonNullable<Engine['recordHandled']>): Promise<void> {
    const first = new Map<string, Queued>();
    for (const q of batch) if (!first.has(identity(q.op.rec))) first.set(identity(q.op.rec), q);
    const own = new Set(batch.map((q) => q.op.rec.sequence));
    const position = this.host.frontierWithout(own);
    const recorded = await recordHandled(this.host.lease, position, [...first.values()].map((q) => q.op.rec));
    const handled = new Set([...first.values()].filter((q) => recorded.has(identity(q.op.rec))));
    this.host.applied(position, [...own], [], handled.size);
    for (const q of batch) q.resolve(handled.has(q) ? 'handled' : 'duplicate');
  }

  private async commitOnce(batch: Queued[]): Promise<void> {
    const { engine, s, lease } = this.host;
    if (engine.recordHandled && batch.every((q) => q.op.kind === 'success' && !q.op.step)) return this.recordOnly(batch, engine.recordHandled.bind(engine));
    const outcomes = new Map<Queued, CommitOutcome>();
    const changesOf = new Map<Queued, FailureChanges>();
    const park: ParkedRecord[] = [];
    const deadLetters: DeadLetterRecord[] = [];
    const handled: { source: string; id: string }[] = [];
    const own = new Set(batch.map((q) => q.op.rec.sequence));
    let position = 0;
    let openBefore = 0;
    await engine.consume(lease, async (tx) => {
      const successes = batch.filter((q) => q.op.kind === 'success');
      const first = new Map<string, Queued>();
      for (const q of successes) if (!first.has(identity(q.op.rec))) first.set(identity(q.op.rec), q);
      const seen = first.size ? await tx.seen([...first.values()].map((q) => q.op.rec)) : new Set<string>();
      const stepFailures = new Map<Queued, unknown>();
      for (const q of successes) {
        const op = q.op as Extract<CommitOp, { kind: 'success' }>;
        if (seen.has(identity(op.rec)) || first.get(identity(op.rec)) !== q) {
          outcomes.set(q, 'duplicate');
          continue;
        }
        if (op.step) {
          try {
            const pending = runCommitStep(op.step, op.delivery, tx, s.name, op.attempt, s.logger, s.publisher);
            if (pending) await pending;
          } catch (err) {
            stepFailures.set(q, err);
            continue;
          }
        }
        handled.push(op.rec);
        outcomes.set(q, 'handled');
      }
      if (stepFailures.size > 0) throw new StepFailed(stepFailures);
      for (const q of batch) {
        const op = q.op;
        if (op.kind === 'failure') {
          const changes = failureChanges(s, op.rec, op.prior, op.error);
          changesOf.set(q, changes);
          if (changes.park) park.push(changes.park);
          if (changes.deadLetter) deadLetters.push(changes.deadLetter);
          outcomes.set(q, changes.released ? 'released' : 'parked');
        } else if (op.kind === 'waiting') {
          park.push(this.host.waitingRow(op.rec));
          outcomes.set(q, 'parked');
        } else if (op.kind === 'park') {
          park.push(op.row);
          outcomes.set(q, 'parked');
        }
      }
      if (deadLetters.length) openBefore = await tx.openDeadLetters();
      position = this.host.frontierWithout(own);
      await tx.commit({ position, handled, park, deadLetters });
    });
    this.host.applied(position, [...own], park, handled.length);
    let first = openBefore === 0;
    for (const [q, changes] of changesOf) {
      const op = q.op as Extract<CommitOp, { kind: 'failure' }>;
      this.host.failed(op.rec, changes, op.prior + 1);
      if (changes.deadLetter) {
        await this.host.alert(changes.deadLetter, first);
        first = false;
      }
    }
    for (const q of batch) q.resolve(outcomes.get(q)!);
  }
}
