import type { Clock } from './core/clock.js';
import { systemClock } from './core/clock.js';
import type { Engine, Tx } from './core/engine.js';
import type { Envelope, NewEvent } from './core/envelope.js';
import type { DataOf, EventDefinition, InputOf } from './core/event.js';
import { validateData } from './core/event.js';
import { FactlineError, NotRunningError } from './core/errors.js';
import type { Logger } from './observe/logger.js';
import { jsonLogger } from './observe/logger.js';
import { buildEnvelope, type Cause, type PublishOptions } from './publish/build-envelope.js';
import { GroupCommit } from './publish/group-commit.js';
import { LIMITS, checkName } from './publish/limits.js';
import { scopeStorage, type Scope } from './publish/scope.js';
import { ConsumerGroup, type ConsumerOptions } from './consumer/consumer-group.js';
import { GroupRunner } from './consumer/group-runner.js';
import type { Publisher } from './consumer/publisher.js';

export interface FactlineOptions<Db> {
  readonly engine: Engine<Db>;
  /** This service, the CloudEvents `source` of what it publishes, e.g. `shop/orders`. */
  readonly source: string;
  /** Partitions of a new log (default 16); an existing log must match. */
  readonly partitions?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Random numbers for retry jitter (tests inject their own). */
  readonly random?: () => number;
  /** How long inbox rows are kept: the dedupe window for re-published events (default 7 days). */
  readonly inboxRetentionMs?: number;
  /** The largest event accepted, in bytes of its JSON envelope (default 1 MiB); larger publishes fail with EVENT_TOO_LARGE. */
  readonly maxEventBytes?: number;
}

/** A transaction of the app: its own writes on `db`, and publishes that commit with them. */
export interface Transaction<Db> {
  readonly db: Db;
  publish<D extends EventDefinition>(definition: D, data: InputOf<D>, options?: PublishOptions): Promise<Envelope<DataOf<D>>>;
}

/** One entry of `publishAll`. */
export interface PublishEntry<D extends EventDefinition = EventDefinition> {
  readonly event: D;
  readonly data: InputOf<D>;
  readonly options?: PublishOptions;
}

export interface Factline<Db> {
  readonly engine: Engine<Db>;
  readonly source: string;
  /**
   * Validates and stores one event. Outside a transaction, concurrent calls are group-committed;
   * inside `transaction()` or a handler, the event joins that transaction. Resolves once durable.
   */
  publish<D extends EventDefinition>(definition: D, data: InputOf<D>, options?: PublishOptions): Promise<Envelope<DataOf<D>>>;
  /** Validates all, then stores all in one transaction, or none. */
  publishAll(entries: readonly PublishEntry[]): Promise<Envelope[]>;
  /** Runs `fn` in one transaction: the app's writes on `tx.db` and its publishes commit together. */
  transaction<T>(fn: (tx: Transaction<Db>) => Promise<T>): Promise<T>;
  /** The consumer group named `name` (created on first call). Register handlers before start(). */
  consumer(name: string, options?: ConsumerOptions): ConsumerGroup<Db>;
  /** Opens the log and starts every consumer group. */
  start(): Promise<void>;
  /** Lets in-flight handlers finish, releases leases, closes the engine. */
  stop(): Promise<void>;
  /** Members of this process per group, and the partitions each works on. */
  assignments(): Record<string, number[]>;
}

const DAY = 24 * 3600 * 1000;

export function createFactline<Db>(options: FactlineOptions<Db>): Factline<Db> {
  const { engine, source } = options;
  if (typeof source !== 'string' || source.length === 0) {
    throw new FactlineError('INVALID_ARGUMENT', 'createFactline needs a source naming this service, e.g. "shop/orders"');
  }
  checkName('createFactline: source', source, LIMITS.sourceBytes);
  const maxEventBytes = options.maxEventBytes ?? LIMITS.eventBytes;
  if (!Number.isInteger(maxEventBytes) || maxEventBytes < 1024) {
    throw new FactlineError('INVALID_ARGUMENT', `maxEventBytes must be an integer of 1024 or more, got ${maxEventBytes}`);
  }
  const partitionsWanted = options.partitions ?? 16;
  if (!Number.isInteger(partitionsWanted) || partitionsWanted < 1 || partitionsWanted > 4096) {
    throw new FactlineError('INVALID_ARGUMENT', `partitions must be an integer from 1 to 4096, got ${partitionsWanted}`);
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger();
  const groups = new Map<string, ConsumerGroup<Db>>();
  const runners: GroupRunner[] = [];
  let partitions = 0;
  let opening: Promise<void> | undefined;
  let started = false;
  let stopped = false;
  let unwatch: (() => void) | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  /** Keeps the process alive from start() to stop(), even while this member owns no partition. */
  let keepAlive: NodeJS.Timeout | undefined;

  const ready = (): Promise<void> => {
    if (stopped) return Promise.reject(new NotRunningError('publish'));
    opening ??= engine.open({ partitions: partitionsWanted }).then(
      (log) => {
        partitions = log.partitions;
      },
      (err: unknown) => {
        opening = undefined; // a later call tries again (the server may be back)
        throw err;
      },
    );
    return opening;
  };

  async function envelopeFor(definition: EventDefinition, data: unknown, publishOptions: PublishOptions | undefined, cause: Cause | undefined): Promise<NewEvent> {
    let valid = validateData(definition, data, 'publish');
    if (valid instanceof Promise) valid = await valid;
    if (partitions === 0) await ready();
    return buildEnvelope(definition, valid, source, partitions, clock.now(), publishOptions, cause, maxEventBytes);
  }

  /** Validates and builds envelopes for many entries; all are checked before any is stored. */
  async function envelopesFor(entries: readonly PublishEntry[]): Promise<NewEvent[]> {
    if (partitions === 0) await ready();
    const now = clock.now();
    const events: NewEvent[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      let valid = validateData(e.event, e.data, 'publish');
      if (valid instanceof Promise) valid = await valid;
      events[i] = buildEnvelope(e.event, valid, source, partitions, now, e.options, undefined, maxEventBytes);
    }
    return events;
  }

  const publishInScope: Publisher = async (scope, definition, data, publishOptions) => {
    if (scope.closed) throw new NotRunningError(`publish of ${definition.type} after its transaction ended`);
    const event = await envelopeFor(definition, data, publishOptions, scope.cause);
    const [stored] = await scope.tx.append([event]);
    return stored!.envelope;
  };

  const groupCommit = new GroupCommit((events) => engine.append(events));

  function transactionApi(scope: Scope): Transaction<Db> {
    return {
      get db() {
        if (scope.closed) throw new NotRunningError('tx.db after its transaction ended');
        return scope.tx.db as Db;
      },
      publish: (definition, data, publishOptions) => publishInScope(scope, definition, data, publishOptions) as never,
    };
  }

  const app: Factline<Db> = {
    engine,
    source,

    async publish(definition, data, publishOptions) {
      const scope = scopeStorage.getStore();
      if (scope && !scope.closed) return publishInScope(scope, definition, data, publishOptions) as never;
      const event = await envelopeFor(definition, data, publishOptions, undefined);
      const [stored] = await groupCommit.submit([event]);
      return stored!.envelope as never;
    },

    async publishAll(entries) {
      const events = await envelopesFor(entries);
      const scope = scopeStorage.getStore();
      const stored = scope && !scope.closed ? await scope.tx.append(events) : await engine.append(events);
      return stored.map((s) => s.envelope);
    },

    async transaction(fn) {
      const outer = scopeStorage.getStore();
      if (outer && !outer.closed) return fn(transactionApi(outer));
      await ready();
      return engine.transaction(async (tx) => {
        const scope: Scope = { tx: tx as Tx<unknown>, closed: false };
        try {
          return await scopeStorage.run(scope, () => fn(transactionApi(scope)));
        } finally {
          scope.closed = true;
        }
      });
    },

    consumer(name, consumerOptions = {}) {
      const existing = groups.get(name);
      if (existing) return existing;
      if (started) throw new FactlineError('ALREADY_STARTED', `consumer group ${name} must be declared before app.start()`);
      const group = new ConsumerGroup<Db>(name, consumerOptions, () => {
        if (started) throw new FactlineError('ALREADY_STARTED', `handlers of group ${name} must be registered before app.start()`);
      });
      groups.set(name, group);
      return group;
    },

    async start() {
      if (started) return;
      await ready();
      started = true;
      for (const group of groups.values()) {
        const o = group.options;
        const leaseTtlMs = o.leaseTtlMs ?? 10_000;
        const runner = new GroupRunner(
          engine as Engine,
          {
            name: group.name,
            handlers: group.handlers,
            startFrom: o.startFrom ?? 'beginning',
            concurrency: o.concurrency ?? 16,
            batchSize: o.batchSize ?? 500,
            batchBytes: o.batchBytes ?? 16 * 1024 * 1024,
            partitions,
            strict: o.strict ?? false,
            pollMs: o.pollMs ?? 50,
            retry: group.retry,
            clock,
            random: options.random ?? Math.random,
            logger,
            publisher: publishInScope,
            ...(o.onDeadLetter ? { onDeadLetter: o.onDeadLetter } : {}),
            ...(o.onCommitted ? { onCommitted: o.onCommitted } : {}),
          },
          { leaseTtlMs, heartbeatMs: o.heartbeatMs ?? Math.max(50, Math.floor(leaseTtlMs / 3)) },
        );
        runners.push(runner);
      }
      unwatch = engine.watch((partitions) => {
        for (const r of runners) r.poke(partitions);
      });
      await Promise.all(runners.map((r) => r.start()));
      const retention = options.inboxRetentionMs ?? 7 * DAY;
      pruneTimer = setInterval(() => {
        engine.pruneInbox(clock.now() - retention).catch((err) => logger.error({ err: String(err) }, 'inbox prune failed'));
      }, Math.min(retention / 10, 3600_000));
      pruneTimer.unref?.();
      keepAlive = setInterval(() => undefined, 1 << 30);
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(pruneTimer);
      clearInterval(keepAlive);
      unwatch?.();
      await Promise.all(runners.map((r) => r.stop()));
      if (opening) await opening.catch(() => undefined);
      await engine.close();
    },

    assignments() {
      const out: Record<string, number[]> = {};
      for (const r of runners) out[r.group] = r.partitions;
      return out;
    },
  };
  return app;
}
