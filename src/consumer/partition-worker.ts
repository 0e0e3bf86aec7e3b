import type { BatchCommit, DeadLetterRecord, Engine, Lease, LogRecord, ParkedRecord } from '../core/engine.js';
import { LeaseLostError } from '../core/errors.js';
import { attemptGate } from './attempt-gate.js';
import { startedAttempt } from './failure-changes.js';
import { CommitQueue, type CommitHost, type CommitOp } from './commit-queue.js';
import type { FailureChanges } from './failure-changes.js';
import { alertDeadLetter, logFailure } from './failure-log.js';
import { IdleWait } from './idle-wait.js';
import { KeyLanes } from './key-lanes.js';
import { ParkedKeys } from './parked-keys.js';
import { ParkedRunner } from './parked-runner.js';
import { invoke, invokeEffect, prepareDelivery, prepareResolving } from './invoke.js';
import { VersionAheadError } from '../core/errors.js';
import { retryStore } from './retry-store.js';
import { runStoreBatch, type StoreItem } from './store-batch.js';
import type { GroupSettings } from './settings.js';
import type { Registration } from './handler.js';
import type { ProcessTracing } from '../observe/telemetry.js';

const PARKED_REFRESH_MS = 500;
const RECENT = 10_000;

const identity = (r: { source: string; id: string }) => `${r.source}\u0000${r.id}`;

const storeOnly = new WeakMap<ReadonlyMap<number, Registration>, boolean>();

/** Whether every handler of a type's versions is a store handler. */
const withEffects = new WeakMap<GroupSettings, boolean>();

/** Whether any of the group's handlers is an effect handler. */
function hasEffects(s: GroupSettings): boolean {
  let any = withEffects.get(s);
  if (any === undefined) {
    any = [...s.handlers.values()].some((versions) => [...versions.values()].some((r) => r.kind === 'effect'));
    withEffects.set(s, any);
  }
  return any;
}

function onlyStore(versions: ReadonlyMap<number, Registration>): boolean {
  let only = storeOnly.get(versions);
  if (only === undefined) {
    only = [...versions.values()].every((r) => r.kind === 'store');
    storeOnly.set(versions, only);
  }
  return only;
}

/** Marks a single-event transaction that must roll back because its handler failed. */
class AttemptFailed extends Error {
  constructor(readonly failure: unknown) {
    super('attempt failed');
  }
}

/**
 * Handles one partition for one group while this member holds its lease.
 *
 * Store handlers (`on`) run batched: many events in one short transaction with their inbox rows
 * and the position (see store-batch.ts). Effect handlers (`effect`) run with no transaction open,
 * each key in its own lane (events of one key in order, up to `concurrency` keys at once); what
 * they return commits afterwards with their inbox rows, many events per transaction (see
 * commit-queue.ts). A failed event parks its key: it waits in the parked table for its next
 * attempt, its key's later events wait behind it, other keys go on (see parked-runner.ts).
 *
 * The position moves to the last event before the oldest one not yet resolved (handled, parked or
 * a dead letter): after a crash, delivery resumes there and the inbox skips what was handled.
 */
export class PartitionWorker implements CommitHost {
  private position = 0;
  /** The highest sequence read. */
  private readTo = 0;
  /** Sequences read and not yet resolved durably. */
  private readonly unresolved = new Set<number>();
  private readonly parkedKeys = new ParkedKeys();
  private parkedLoadedAt = 0;
  private readonly lanes: KeyLanes;
  private readonly commits: CommitQueue;
  private readonly parkedRunner: ParkedRunner;
  private marked = false;
  /** Events still to run alone after restarts without progress. */
  private carefulLeft = 0;
  private isStopping = false;
  private readonly idle: IdleWait;
  /** The read window was full: the next resolution wakes the worker. */
  private windowFull = false;
  private done: Promise<void> = Promise.resolve();
  /** Set when the worker ended because its lease was taken by another member. */
  lost = false;
  ended = false;
  /** Spans and durations of handler attempts; undefined when telemetry is off. */
  readonly tracing: ProcessTracing | undefined;

  constructor(
    readonly engine: Engine,
    readonly s: GroupSettings,
    readonly lease: Lease,
  ) {
    this.tracing = s.telemetry?.forPartition(s.name, lease.partition);
    this.idle = new IdleWait(s.pollMs, s.maxPollMs);
    this.lanes = new KeyLanes(s.concurrency, (err) => this.laneError(err));
    this.commits = new CommitQueue(this);
    this.parkedRunner = new ParkedRunner(this, this.parkedKeys);
  }

  get partition(): number {
    return this.lease.partition;
  }

  start(): void {
    this.done = this.loop().finally(() => (this.ended = true));
  }

  /** Finishes the handlers in flight and commits their results, then ends. */
  async stop(): Promise<void> {
    this.isStopping = true;
    this.idle.interrupt();
    await this.done;
  }

  /** New events may be readable: wake now, or skip the next sleep if awake. */
  poke(): void {
    this.idle.poke();
  }

  stopping(): boolean {
    return this.isStopping;
  }

  private laneError(err: unknown): void {
    if (err instanceof LeaseLostError) {
      if (!this.lost) this.s.logger.warn({ group: this.s.name, partition: this.lease.partition }, err.message);
      this.lost = true;
      this.isStopping = true;
      this.idle.interrupt();
      return;
    }
    if (!this.isStopping) this.s.logger.error({ group: this.s.name, partition: this.lease.partition, err: String(err) }, 'consumer task failed');
  }

  private async loop(): Promise<void> {
    let errorDelay = 100;
    let positioned = false;
    while (!this.isStopping) {
      try {
        if (!positioned) {
          this.position = await this.engine.position(this.s.name, this.lease.partition, this.s.startFrom);
          this.readTo = this.position;
          positioned = true;
        }
        const progress = await this.step();
        errorDelay = 100;
        this.idle.looked(progress !== 'idle');
        // After a read shorter than asked, the next one would most likely find nothing: wait for
        // a poke (a poke during the read skips the wait) or the poll, as after an empty read.
        if (progress !== 'more' && !this.isStopping) await this.idle.sleep(this.idleDelay());
        // An engine may complete a whole step without waiting for I/O (SQLite does): give timers
        // (heartbeats, handler deadlines) and I/O their turn between batches.
        else await new Promise<void>((resolve) => setImmediate(resolve));
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.laneError(err);
          break;
        }
        this.s.logger.error({ group: this.s.name, partition: this.lease.partition, err: String(err) }, 'consumer step failed; retrying');
        this.parkedLoadedAt = 0;
        await this.idle.sleep(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
    await this.lanes.drain();
    await this.commits.idle();
    if (!this.lost && positioned) await this.flushPosition().catch(() => undefined);
    // This member did not die here: the next start at this position is not a restart after a crash.
    if (this.marked) await this.engine.markStart(this.lease, -1).catch(() => undefined);
  }

  /**
   * How long an idle partition waits before it looks again. Parked keys and a full read window
   * are watched at `pollMs`; otherwise the wait doubles with each poll that found nothing, up to
   * `maxPollMs`, since the engine's pokes tell of new events.
   */
  private idleDelay(): number {
    let delay = this.idle.nextPollMs(!this.windowFull && this.parkedKeys.heads().length === 0);
    const now = this.s.clock.now();
    for (const head of this.parkedKeys.heads()) {
      if (head.state !== 'held' && !this.lanes.has(head.key)) delay = Math.min(delay, Math.max(0, head.nextAttemptAt - now));
    }
    return delay;
  }

  /** Events read and not yet resolved fill the window: reading waits until some resolve. */
  private windowIsFull(): boolean {
    return this.unresolved.size >= this.s.batchSize * 4;
  }

  /** Events read at once: `batchSize`, fewer when events are large (about `batchBytes` in all). */
  private readLimit(): number {
    // Before any event was read in this app, events are assumed to be of at most 32 KiB.
    if (this.s.sizes.largestBody === 0) return Math.max(1, Math.min(this.s.batchSize, Math.floor(this.s.batchBytes / 32_768)));
    return Math.max(1, Math.min(this.s.batchSize, Math.floor(this.s.batchBytes / this.s.sizes.largestBody)));
  }

  /** 'more': the read was full, read again now; 'caught-up': a short read; 'idle': nothing read. */
  private async step(): Promise<'more' | 'caught-up' | 'idle'> {
    this.idle.reading();
    if (Date.now() - this.parkedLoadedAt >= PARKED_REFRESH_MS) {
      await this.parkedKeys.replaceFrom(() => this.engine.parked(this.s.name, this.lease.partition), (key) => this.lanes.has(key));
      this.parkedLoadedAt = Date.now();
    }
    const retried = this.startDueParked();
    // A window of events in flight at most: slow lanes hold the reading back, not the memory.
    this.windowFull = this.windowIsFull();
    if (this.windowFull) return retried ? 'more' : 'idle';
    const giveBack = await this.s.readGate.take();
    try {
      const limit = this.readLimit();
      // A group with effect handlers reads with its inbox rows when the engine can (one round trip less per read).
      const { records, handled } = this.engine.readHandled && hasEffects(this.s)
        ? await this.engine.readHandled(this.s.name, this.lease.partition, this.readTo, limit)
        : { records: await this.engine.read(this.lease.partition, this.readTo, limit), handled: undefined };
      if (records.length === 0) {
        giveBack();
        await this.flushPosition();
        return retried ? 'more' : 'idle';
      }
      if (!this.marked) {
        this.marked = true;
        const starts = await this.engine.markStart(this.lease, this.position);
        if (starts >= 2) {
          this.carefulLeft = this.s.batchSize;
          this.s.logger.warn({ group: this.s.name, partition: this.lease.partition, position: this.position, starts }, 'the group restarted here before without progress: the next events run alone, one at a time');
        }
      }
      // Careful runs may stop early, and a byte-bounded read leaves the rest: both read again.
      let tookAll = false;
      if (this.carefulLeft > 0) {
        giveBack();
        await this.runCarefully(records);
      } else {
        const within = this.withinBytes(records);
        tookAll = within.length === records.length;
        await this.dispatch(within, giveBack, handled);
      }
      return records.length < limit && tookAll && !retried ? 'caught-up' : 'more';
    } finally {
      giveBack();
    }
  }

  /**
   * After restarts without progress, up to `batchSize` events run one at a time, each alone in
   * this process (see attempt-gate.ts) and recorded first as a parked event whose attempt started:
   * the one that kills the process again stays parked with that death counted, and is retried
   * alone until its attempts are used up (see parked-runner.ts); the others commit and unpark.
   */
  private async runCarefully(records: readonly LogRecord[]): Promise<void> {
    for (const rec of records) {
      if (this.carefulLeft <= 0 || this.isStopping) return;
      this.readTo = rec.sequence;
      if (!this.s.handlers.has(rec.type)) continue;
      this.unresolved.add(rec.sequence);
      this.carefulLeft--;
      if (this.isParked(rec.key)) {
        await this.commits.submit({ kind: 'waiting', rec });
        continue;
      }
      await attemptGate.run(true, async () => {
        const row = startedAttempt(this.s, rec, 0);
        await this.commits.submit({ kind: 'park', rec, row });
        await this.parkedRunner.runStarted(row);
      });
    }
  }

  /** The first events of a read that fit `batchBytes` (at least one); the rest are read again later. */
  private withinBytes(records: readonly LogRecord[]): readonly LogRecord[] {
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      bytes += records[i]!.body.length;
      if (bytes > this.s.batchBytes && i > 0) {
        this.s.sizes.largestBody = Math.max(this.s.sizes.largestBody, records[i]!.body.length);
        return records.slice(0, i);
      }
    }
    return records;
  }

  private startDueParked(): boolean {
    let started = false;
    const now = this.s.clock.now();
    for (const head of this.parkedKeys.heads()) {
      if (head.state === 'held' || this.lanes.has(head.key)) continue;
      if (head.state === 'retrying' && head.nextAttemptAt > now) continue;
      this.lanes.push(head.key, () => this.parkedRunner.runKey(head.key));
      started = true;
    }
    return started;
  }

  /** Starts the records' work; gives the read turn back once the batched store handlers committed. */
  /** `handled`: the read's identities with an inbox row of the group, when the engine answered them with it. */
  private async dispatch(records: readonly LogRecord[], giveBack: () => void, handled?: ReadonlySet<string>): Promise<void> {
    const storeItems: StoreItem[] = [];
    const laneItems: StoreItem[] = [];
    const ops: CommitOp[] = [];
    const laneKeys = new Set<string>();
    const parkedNow = new Set<string>();
    let largest = 0;
    for (const rec of records) {
      this.readTo = rec.sequence;
      if (rec.body.length > largest) largest = rec.body.length;
      const versions = this.s.handlers.get(rec.type);
      if (!versions) continue;
      this.unresolved.add(rec.sequence);
      if (this.isParked(rec.key) || parkedNow.has(rec.key)) {
        ops.push({ kind: 'waiting', rec });
        continue;
      }
      // A key not busy in a lane, of a type with store handlers only: parsed in the batch's transaction.
      if (onlyStore(versions) && !laneKeys.has(rec.key) && !this.lanes.has(rec.key)) {
        storeItems.push({ rec, versions });
        continue;
      }
      let item: StoreItem;
      try {
        item = { rec, delivery: prepareDelivery(rec.body, rec.type, versions, this.s.newer) };
      } catch (error) {
        item = { rec, error };
        // A newer version than the group handles: the registry says once whether it reads as the group's.
        if (error instanceof VersionAheadError && !error.resolved) {
          try {
            item = { rec, delivery: await prepareResolving(rec.body, rec.type, versions, this.s.newer) };
          } catch (again) {
            item = { rec, error: again };
          }
          // The key may have been parked while the registry answered: the event then waits behind it.
          if (this.isParked(rec.key) || parkedNow.has(rec.key)) {
            ops.push({ kind: 'waiting', rec });
            continue;
          }
        }
      }
      if (laneKeys.has(rec.key) || this.lanes.has(rec.key) || item.delivery?.registration.kind === 'effect') {
        laneKeys.add(rec.key);
        laneItems.push(item);
      } else {
        storeItems.push(item);
      }
    }
    this.s.sizes.largestBody = Math.max(largest, Math.floor(this.s.sizes.largestBody / 2));
    for (const op of ops) this.submitWaiting(op.rec);
    const effects = laneItems.filter((i) => i.delivery?.registration.kind === 'effect').map((i) => i.rec);
    // The events are read (readTo moved past them): a store that fails now is waited for, so that
    // none of them is left behind.
    const handledBefore = !effects.length ? new Set<string>() : (handled ?? (await retryStore(this, () => this.engine.handled(this.s.name, effects))));
    // Handlers run inside the attempt gate (shared): an event suspected of killing the process runs alone.
    const leftovers = storeItems.length ? await retryStore(this, () => attemptGate.run(false, () => runStoreBatch(this, storeItems))) : [];
    giveBack();
    for (const item of leftovers) this.lanes.push(item.rec.key, () => attemptGate.run(false, () => this.storeTask(item)));
    for (const item of laneItems) {
      const effect = item.delivery?.registration.kind === 'effect';
      const already = effect && handledBefore.has(`${item.rec.source}\u0000${item.rec.id}`);
      this.lanes.push(item.rec.key, () => (already ? this.skipHandled(item.rec) : attemptGate.run(false, () => (effect ? this.effectTask(item) : this.storeTask(item)))));
    }
  }

  /**
   * Parks an event behind its key's parked head. Until that commit lands, the key counts as
   * parked (`isParked`), so that no later event of the key runs before this one.
   */
  private submitWaiting(rec: LogRecord): void {
    this.pendingWaiting.set(rec.key, (this.pendingWaiting.get(rec.key) ?? 0) + 1);
    this.commits
      .submit({ kind: 'waiting', rec })
      .catch((err: unknown) => this.laneError(err))
      .finally(() => {
        const left = (this.pendingWaiting.get(rec.key) ?? 1) - 1;
        if (left > 0) this.pendingWaiting.set(rec.key, left);
        else this.pendingWaiting.delete(rec.key);
      });
  }

  /** Keys with waiting events whose parked rows are being committed. */
  private readonly pendingWaiting = new Map<string, number>();

  /** Whether the key's next event must wait in the parked table. */
  private isParked(key: string): boolean {
    return this.parkedKeys.has(key) || this.pendingWaiting.has(key);
  }

  /** An event whose inbox row is stored already: resolved without running. */
  private async skipHandled(rec: LogRecord): Promise<void> {
    if (this.isParked(rec.key)) return void (await this.commits.submit({ kind: 'waiting', rec }));
    this.unresolved.delete(rec.sequence);
  }

  /** Runs an effect handler outside any transaction, then commits its result. */
  private async effectTask(item: StoreItem): Promise<void> {
    const { rec } = item;
    // A stopping worker (given back, or its lease lost) starts no new outside call: the event stays unresolved.
    if (this.isStopping) return;
    if (this.isParked(rec.key)) return void (await this.commits.submit({ kind: 'waiting', rec }));
    // A copy of an event this worker committed since it was read (a re-publish of the same id
    // lands on the same key, so its earlier copy ran just before in this lane).
    if (this.recent.has(identity(rec))) return this.skipHandled(rec);
    const delivery = item.delivery!;
    let op: CommitOp;
    try {
      const step = await invokeEffect(delivery, this.s.name, 1, this.s.logger, this.s.publisher, this.tracing);
      op = { kind: 'success', rec, delivery, attempt: 1, ...(step ? { step } : {}) };
    } catch (error) {
      op = { kind: 'failure', rec, prior: 0, error };
    }
    const outcome = await this.commits.submit(op);
    if (outcome === 'handled' || outcome === 'duplicate') this.remember(rec);
  }

  /** Identities this worker committed lately, the oldest first, at most RECENT of them. */
  private readonly recent = new Set<string>();

  private remember(rec: LogRecord): void {
    this.recent.add(identity(rec));
    if (this.recent.size > RECENT) this.recent.delete(this.recent.values().next().value!);
  }

  /** Runs a store handler in a transaction of its own (a key busy with other work, or a batch that kept failing). */
  private async storeTask(item: StoreItem): Promise<void> {
    const { rec } = item;
    if (this.isStopping) return;
    if (this.isParked(rec.key)) return void (await this.commits.submit({ kind: 'waiting', rec }));
    let delivery = item.delivery;
    if (!delivery && item.versions) {
      try {
        delivery = await prepareResolving(rec.body, rec.type, item.versions, this.s.newer);
      } catch (error) {
        return void (await this.commits.submit({ kind: 'failure', rec, prior: 0, error }));
      }
      if (delivery.registration.kind === 'effect') return this.effectTask({ rec, delivery });
    }
    if (!delivery) return void (await this.commits.submit({ kind: 'failure', rec, prior: 0, error: item.error }));
    const own = new Set([rec.sequence]);
    let failure: { error: unknown } | undefined;
    let committedAt = 0;
    let handled = 0;
    await retryStore(this, async () => {
      failure = undefined;
      try {
        await this.engine.consume(this.lease, async (tx) => {
          const seen = await tx.seen([rec]);
          if (seen.size === 0) {
            try {
              await invoke(delivery, tx, this.s.name, 1, this.s.logger, this.s.publisher, this.tracing);
            } catch (err) {
              throw new AttemptFailed(err);
            }
          }
          committedAt = this.frontierWithout(own);
          handled = seen.size === 0 ? 1 : 0;
          await tx.commit({ position: committedAt, ...(handled ? { handled: [rec] } : {}) });
        });
      } catch (err) {
        if (!(err instanceof AttemptFailed)) throw err;
        failure = { error: err.failure };
      }
    });
    if (failure) return void (await this.commits.submit({ kind: 'failure', rec, prior: 0, error: failure.error }));
    this.applied(committedAt, [rec.sequence], [], handled);
  }

  /** Commits the position when events were resolved without a commit of their own (no handler, handled already). */
  private async flushPosition(): Promise<void> {
    const target = this.frontierWithout(new Set());
    if (target <= this.position) return;
    await this.engine.consume(this.lease, (tx) => tx.commit({ position: target }));
    this.applied(target, [], [], 0);
  }

  // CommitHost

  frontierWithout(own: ReadonlySet<number>): number {
    let lowest = Infinity;
    for (const seq of this.unresolved) if (seq < lowest && !own.has(seq)) lowest = seq;
    return Math.max(this.position, lowest === Infinity ? this.readTo : lowest - 1);
  }

  applied(position: number, resolved: readonly number[], park: readonly ParkedRecord[], handled: number): void {
    for (const seq of resolved) this.unresolved.delete(seq);
    for (const row of park) this.parkedKeys.remember(row);
    if (this.windowFull && !this.windowIsFull()) {
      this.windowFull = false;
      this.poke();
    }
    if (position > this.position) this.position = position;
    this.committed(handled);
  }

  waitingRow(rec: LogRecord): ParkedRecord {
    return { group: this.s.name, partition: rec.partition, sequence: rec.sequence, key: rec.key, record: rec, state: 'waiting', attempts: 0, nextAttemptAt: 0, errors: [] };
  }

  /** Tells the group's onCommitted hook that a transaction of this partition committed. */
  committed(handled: number): void {
    if (!this.s.onCommitted) return;
    try {
      this.s.onCommitted({ group: this.s.name, partition: this.lease.partition, position: this.position, handled });
    } catch (err) {
      this.s.logger.error({ group: this.s.name, err: String(err) }, 'onCommitted hook threw');
    }
  }

  failed(rec: LogRecord, changes: FailureChanges, attempt: number): void {
    logFailure(this.s, rec, changes, attempt);
  }

  alert(deadLetter: DeadLetterRecord, first: boolean): Promise<void> {
    return alertDeadLetter(this.s, deadLetter, first);
  }

  /** Commits changes outside the queue (the parked runner's own transactions). */
  async commitAlone(changes: BatchCommit): Promise<void> {
    await this.engine.consume(this.lease, (tx) => tx.commit(changes));
  }
}
