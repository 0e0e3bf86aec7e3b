import type { BatchCommit, DeadLetterRecord, Engine, Lease, LogRecord, ParkedRecord } from '../core/engine.js';
import { LeaseLostError, NonRetryableError } from '../core/errors.js';
import { cleanText, describeError } from './describe-error.js';
import { attemptGate } from './attempt-gate.js';
import { DIED_MESSAGE, diedTooOften, failureChanges, startedAttempt, type FailureChanges } from './failure-changes.js';
import type { ProcessTracing } from '../observe/telemetry.js';
import { invoke, invokeEffect, prepareResolving, runCommitStep, type Delivery } from './invoke.js';
import type { ParkedKeys } from './parked-keys.js';
import { retryStore } from './retry-store.js';
import type { GroupSettings } from './settings.js';

/** What the runner needs from its worker. */
export interface ParkedHost {
  readonly engine: Engine;
  readonly s: GroupSettings;
  readonly lease: Lease;
  /** Spans and durations of handler attempts; undefined when telemetry is off. */
  readonly tracing: ProcessTracing | undefined;
  stopping(): boolean;
  committed(handled: number): void;
  failed(rec: LogRecord, changes: FailureChanges, attempt: number): void;
  alert(deadLetter: DeadLetterRecord, first: boolean): Promise<void>;
  commitAlone(changes: BatchCommit): Promise<void>;
}

class AttemptFailed extends Error {
  constructor(readonly failure: unknown) {
    super('attempt failed');
  }
}

const identity = (r: { source: string; id: string }) => `${r.source}\u0000${r.id}`;

/**
 * A head that may be what killed its process: its last attempt started and never ended.
 */
function isSuspect(head: ParkedRecord): boolean {
  return head.state === 'retrying' && head.errors[head.errors.length - 1]?.message === DIED_MESSAGE;
}

/**
 * Runs the parked events of one key, head first: a retry when its next attempt is due, then the
 * events waiting behind it. Each attempt is recorded as started before it runs (one short
 * transaction), so a handler that kills its process still uses up its attempts: when they are used
 * up by deaths, the event becomes a dead letter without running again and its key moves on.
 */
export class ParkedRunner {
  constructor(
    private readonly host: ParkedHost,
    private readonly parked: ParkedKeys,
  ) {}

  async runKey(key: string): Promise<void> {
    const { s } = this.host;
    while (!this.host.stopping()) {
      const head = this.parked.head(key);
      if (!head || head.state === 'held') return;
      if (head.state === 'retrying' && head.nextAttemptAt > s.clock.now()) return;
      const died = diedTooOften(s, head);
      if (died) {
        if (!(await this.record(head, died))) return;
        continue;
      }
      let delivery: Delivery;
      try {
        delivery = await prepareResolving(head.record.body, head.record.type, s.handlers.get(head.record.type) ?? new Map(), s.newer);
      } catch (err) {
        if (!(await this.record(head, failureChanges(s, head.record, head.attempts, err, head)))) return;
        continue;
      }
      if (head.state === 'waiting' && (this.parked.rows(key)[1]?.state === 'waiting')) {
        if (!(await this.runChain(key))) return;
        continue;
      }
      const started = startedAttempt(s, head.record, head.attempts, head);
      const failure = await attemptGate.run(isSuspect(head), async () => {
        await retryStore(this.host, () => this.host.commitAlone({ park: [started] }));
        this.parked.remember(started);
        return this.attempt(started, delivery);
      });
      if (failure === undefined) {
        this.parked.forget(key, head.sequence);
        this.host.committed(1);
        continue;
      }
      const changes = failureChanges(s, head.record, started.attempts - 1, failure.error, started);
      this.host.failed(head.record, changes, started.attempts);
      if (!(await this.record(started, changes))) return;
    }
  }

  /**
   * Runs the attempt of a parked event already recorded as started (and so in the parked rows),
   * and records its outcome. The caller holds the attempt gate.
   */
  async runStarted(row: ParkedRecord): Promise<void> {
    const failure = await this.tryStarted(row);
    if (failure) await this.recordFailure(row, failure.error);
  }

  /** The attempt of a started row; on success the row is forgotten. Returns the failure, if any. */
  private async tryStarted(row: ParkedRecord): Promise<{ error: unknown } | undefined> {
    const { s } = this.host;
    let failure: { error: unknown } | undefined;
    try {
      const delivery = await prepareResolving(row.record.body, row.record.type, s.handlers.get(row.record.type) ?? new Map(), s.newer);
      failure = await this.attempt(row, delivery);
    } catch (error) {
      if (error instanceof LeaseLostError || this.host.stopping()) throw error;
      failure = { error };
    }
    if (failure === undefined) {
      this.parked.forget(row.key, row.sequence);
      this.host.committed(1);
    }
    return failure;
  }

  /** Records the failure of a started row's attempt; returns true when its key was released. */
  private recordFailure(row: ParkedRecord, error: unknown): Promise<boolean> {
    const changes = failureChanges(this.host.s, row.record, row.attempts - 1, error, row);
    this.host.failed(row.record, changes, row.attempts);
    return this.record(row, changes);
  }

  /**
   * The events waiting in a row at the head of a key (none attempted yet): their first attempts
   * are recorded as started in one transaction, then they run in order, each committing alone.
   * If the process dies meanwhile, each of them counts that death once and runs alone next time.
   * Returns false when one failed and keeps its key parked.
   */
  private async runChain(key: string): Promise<boolean> {
    const { s } = this.host;
    const rows: ParkedRecord[] = [];
    for (const row of this.parked.rows(key)) {
      if (row.state !== 'waiting' || rows.length >= 100) break;
      rows.push(row);
    }
    return attemptGate.run(false, async () => {
      const started = rows.map((row) => startedAttempt(s, row.record, 0, row));
      await retryStore(this.host, () => this.host.commitAlone({ park: started }));
      for (const row of started) this.parked.remember(row);
      for (let i = 0; i < started.length; i++) {
        const row = started[i]!;
        const failure = await this.tryStarted(row);
        if (failure === undefined) continue;
        // The rest were not attempted: they wait again as they were.
        const rest = rows.slice(i + 1);
        if (rest.length) await retryStore(this.host, () => this.host.commitAlone({ park: rest }));
        for (const r of rest) this.parked.remember(r);
        return this.recordFailure(row, failure.error);
      }
      return true;
    });
  }

  /** One attempt; on success its results and the head's removal commit together. */
  private async attempt(head: ParkedRecord, delivery: Delivery): Promise<{ error: unknown } | undefined> {
    const { engine, s, lease } = this.host;
    const rec = head.record;
    const unpark = { unpark: [head.sequence] };
    let step: Awaited<ReturnType<typeof invokeEffect>>;
    if (delivery.registration.kind === 'effect') {
      const handled = await retryStore(this.host, () => engine.handled(s.name, [rec]));
      if (handled.size === 0) {
        try {
          step = await invokeEffect(delivery, s.name, head.attempts, s.logger, s.publisher, this.host.tracing);
        } catch (error) {
          return { error };
        }
      }
    }
    return retryStore(this.host, async () => {
      try {
        await engine.consume(lease, async (tx) => {
          const seen = await tx.seen([rec]);
          if (seen.has(identity(rec))) return tx.commit(unpark);
          try {
            if (delivery.registration.kind === 'store') await invoke(delivery, tx, s.name, head.attempts, s.logger, s.publisher, this.host.tracing);
            else if (step) await runCommitStep(step, delivery, tx, s.name, head.attempts, s.logger, s.publisher);
          } catch (err) {
            throw new AttemptFailed(err);
          }
          await tx.commit({ ...unpark, handled: [rec] });
        });
        return undefined;
      } catch (err) {
        if (err instanceof AttemptFailed) return { error: err.failure };
        throw err;
      }
    });
  }

  /**
   * Stores a failure's changes; returns true when the key was released. A failure the store keeps
   * refusing as it is becomes a dead letter with a plain reason.
   */
  private async record(head: ParkedRecord, changes: FailureChanges): Promise<boolean> {
    const { s } = this.host;
    let current = changes;
    let openBefore = 0;
    await retryStore(
      this.host,
      () =>
        this.host.engine.consume(this.host.lease, async (tx) => {
          if (current.deadLetter) openBefore = await tx.openDeadLetters();
          await tx.commit({
            ...(current.park ? { park: [current.park] } : {}),
            ...(current.unpark !== undefined ? { unpark: [current.unpark] } : {}),
            ...(current.deadLetter ? { deadLetters: [current.deadLetter] } : {}),
          });
        }),
      (err, failures) => {
        if (failures !== 3) return;
        const why = cleanText(describeError(err).message, 500);
        current = failureChanges(s, head.record, head.attempts, new NonRetryableError(`its failure could not be stored as it was (${why}); the original error is lost`), { ...head, errors: [] });
      },
    );
    if (current.park) this.parked.remember(current.park);
    else this.parked.forget(head.key, head.sequence);
    if (current.deadLetter) await this.host.alert(current.deadLetter, openBefore === 0);
    return current.released;
  }
}
