import { systemClock } from './core/clock.js';
import type { Engine, Tx } from './core/engine.js';
import type { NewEvent } from './core/envelope.js';
import type { EventDefinition } from './core/event.js';
import { validateData } from './core/event.js';
import { FactlineError, NotRunningError, TransactionEndedError } from './core/errors.js';
import { jsonLogger } from './observe/logger.js';
import { loadTelemetry } from './observe/load-telemetry.js';
import type { Telemetry } from './observe/telemetry.js';
import { TracedPublishes } from './publish/traced-publish.js';
import { healthOf } from './observe/health.js';
import { buildEnvelope, type Cause, type PublishOptions } from './publish/build-envelope.js';
import { GroupCommit } from './publish/group-commit.js';
import { LIMITS, checkName } from './publish/limits.js';
import { endedMessage, scopeStorage, type Scope } from './publish/scope.js';
import { ConsumerGroup, conflictingOptions, effectiveOptions } from './consumer/consumer-group.js';
import { GroupRunner } from './consumer/group-runner.js';
import { ReadGate } from './consumer/read-gate.js';
import type { Publisher } from './consumer/publisher.js';
import { DueDelivery } from './schedule/due-delivery.js';
import { sendAndSchedule } from './publish/send-and-schedule.js';
import { waitForOutcome } from './command/outcome.js';
import { checkSingleHandlers } from './command/single-handler.js';
import type { WorkflowDefinition } from './workflow/definition.js';
import { registerWorkflow } from './workflow/register.js';
import { NewerVersions } from './consumer/newer-versions.js';
import { SchemaRegistry } from './schema/registry.js';
import type { Factline, FactlineOptions, PublishEntry, Transaction } from './app-types.js';
import { stopOnSignals } from './stop-on-signals.js';

export type { Factline, FactlineOptions, PublishEntry, Transaction } from './app-types.js';

/** Batches the partition workers of one group in this app hold read but not committed, at most (see consumer/read-gate.ts). */
const READ_TURNS = 4;

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
  const signals = options.stopOnSignals;
  if (signals !== undefined && typeof signals !== 'boolean' && !(Array.isArray(signals) && signals.every((x) => typeof x === 'string' && /^SIG[A-Z0-9]+$/.test(x)))) {
    throw new FactlineError('INVALID_ARGUMENT', `stopOnSignals must be true, false or a list of signal names such as ['SIGTERM', 'SIGINT'], got ${JSON.stringify(signals)}`);
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger();
  const groups = new Map<string, ConsumerGroup<Db>>();
  /** Event sizes seen by this app's consumers (see GroupSettings.sizes). */
  const sizes = { largestBody: 0 };
  const runners: GroupRunner[] = [];
  let partitions = 0;
  let opening: Promise<void> | undefined;
  let started = false;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  let removeSignalListeners: (() => void) | undefined;
  let unwatch: (() => void) | undefined;
  let dueDelivery: DueDelivery | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  /** Keeps the process alive from start() to stop(), even while this member owns no partition. */
  let keepAlive: NodeJS.Timeout | undefined;
  /** Spans and metrics, once the log is open; undefined when both are off. */
  let telemetry: Telemetry | undefined;
  let unwatchStore: (() => void) | undefined;
  /** With telemetry: the spans (or timers) of publishes. */
  let traced: TracedPublishes | undefined;

  /** The error for `call` on a stopped app. */
  const stoppedError = (call: string) =>
    new NotRunningError(call, 'the app was stopped (app.stop()); nothing of this call ran. An app runs once: publish before stopping it, or create a new one with createFactline()');

  /** Rejects when the app was stopped; a call racing stop() gets the app's error, not the closed engine's. */
  async function running<T>(call: string, fn: () => Promise<T>): Promise<T> {
    if (stopped) throw stoppedError(call);
    try {
      return await fn();
    } catch (err) {
      if (stopped && err instanceof NotRunningError) throw stoppedError(call);
      throw err;
    }
  }

  const ready = (): Promise<void> => {
    if (stopped) return Promise.reject(stoppedError('app.start()'));
    opening ??= Promise.all([engine.open({ partitions: partitionsWanted }), loadTelemetry(options.telemetry, '')]).then(
      ([log, t]) => {
        partitions = log.partitions;
        telemetry = t;
        traced = t ? new TracedPublishes(t) : undefined;
      },
      (err: unknown) => {
        opening = undefined; // a later call tries again (the server may be back)
        throw err;
      },
    );
    return opening;
  };

  async function envelopeFor(definition: EventDefinition, data: unknown, publishOptions: PublishOptions | undefined, cause: Cause | undefined, span?: unknown, tx?: Tx<unknown>): Promise<NewEvent> {
    let valid = validateData(definition, data, 'publish');
    if (valid instanceof Promise) valid = await valid;
    if (partitions === 0) await ready();
    const registering = registry.produced(definition, tx);
    if (registering) await registering;
    const now = clock.now();
    if (traced) return traced.build(definition.type, span, publishOptions, (trace) => buildEnvelope(definition, valid, source, partitions, now, publishOptions, cause, maxEventBytes, trace));
    return buildEnvelope(definition, valid, source, partitions, now, publishOptions, cause, maxEventBytes);
  }

  /** Validates and builds envelopes for many entries; all are checked before any is stored. */
  async function envelopesFor(entries: readonly PublishEntry[], cause?: Cause, span?: unknown, tx?: Tx<unknown>): Promise<NewEvent[]> {
    if (partitions === 0) await ready();
    const now = clock.now();
    const events: NewEvent[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      let valid = validateData(e.event, e.data, 'publish');
      if (valid instanceof Promise) valid = await valid;
      const registering = registry.produced(e.event, tx);
      if (registering) await registering;
      const data = valid;
      events[i] = traced
        ? traced.build(e.event.type, span, e.options, (trace) => buildEnvelope(e.event, data, source, partitions, now, e.options, cause, maxEventBytes, trace))
        : buildEnvelope(e.event, valid, source, partitions, now, e.options, cause, maxEventBytes);
    }
    return events;
  }

  const publishInScope: Publisher = async (scope, definition, data, publishOptions) => {
    if (scope.closed) throw new TransactionEndedError(endedMessage(scope, `publish(${definition.type})`));
    const event = await envelopeFor(definition, data, publishOptions, scope.cause, scope.span?.context, scope.tx);
    const [stored] = traced ? await traced.append([event], (events) => scope.tx.append(events)) : await scope.tx.append([event]);
    return stored!.envelope;
  };

  const registry = new SchemaRegistry(engine as Engine, source, () => clock.now(), logger);

  const groupCommit = new GroupCommit((events) => engine.append(events));

  const refuseCommand = (definition: { kind?: string; type?: string }, call: string) => {
    if (definition?.kind === 'command') {
      throw new FactlineError('INVALID_ARGUMENT', `${call}(${definition.type}): ${definition.type} is a command; send it with app.send()`);
    }
  };

  /** Runs `fn` in the current scope's transaction, or in a new one. */
  async function inScope<T>(call: string, fn: (tx: Tx<unknown>, scope: Scope) => Promise<T>): Promise<T> {
    const scope = scopeStorage.getStore();
    if (scope && !scope.closed) return fn(scope.tx, scope);
    return running(call, async () => {
      await ready();
      return engine.transaction((tx) => fn(tx as Tx<unknown>, { tx: tx as Tx<unknown>, closed: false }));
    });
  }

  const calls = sendAndSchedule(envelopeFor, () => clock.now());
  const scheduleIn = calls.schedule;
  const sendIn = calls.send;

  function transactionApi(scope: Scope): Transaction<Db> {
    return {
      get db() {
        if (scope.closed) throw new TransactionEndedError(endedMessage(scope, 'db'));
        return scope.tx.db as Db;
      },
      publish: (definition, data, publishOptions) => publishInScope(scope, definition, data, publishOptions) as never,
      schedule: (definition, data, scheduleOptions) => scheduleIn(scope.tx, scope, definition, data, scheduleOptions),
      send: (command, data, publishOptions) => sendIn(scope.tx, scope, command, data, publishOptions) as never,
    };
  }

  const app: Factline<Db> = {
    engine,
    source,

    async publish(definition, data, publishOptions) {
      refuseCommand(definition, 'app.publish');
      const scope = scopeStorage.getStore();
      if (scope && !scope.closed) return publishInScope(scope, definition, data, publishOptions) as never;
      return running(`app.publish(${definition?.type})`, async () => {
        const event = await envelopeFor(definition, data, publishOptions, undefined);
        const [stored] = traced ? await traced.append([event], (events) => groupCommit.submit(events)) : await groupCommit.submit([event]);
        return stored!.envelope as never;
      });
    },

    async publishAll(entries) {
      const scope = scopeStorage.getStore();
      if (scope && !scope.closed) {
        const events = await envelopesFor(entries, scope.cause, scope.span?.context, scope.tx);
        return (traced ? await traced.append(events, (e) => scope.tx.append(e)) : await scope.tx.append(events)).map((s) => s.envelope);
      }
      return running('app.publishAll()', async () => {
        const events = await envelopesFor(entries);
        return (traced ? await traced.append(events, (e) => engine.append(e)) : await engine.append(events)).map((s) => s.envelope);
      });
    },

    schedule: (definition, data, scheduleOptions) => inScope(`app.schedule(${definition?.type})`, (tx, scope) => scheduleIn(tx, scope, definition, data, scheduleOptions)),

    cancelScheduled: (id) => inScope('app.cancelScheduled()', async (tx) => (await tx.cancelScheduled([id])).length === 1),

    send: (command, data, publishOptions) => inScope(`app.send(${command?.type})`, (tx, scope) => sendIn(tx, scope, command, data, publishOptions)) as never,

    async outcome(commandId, outcomeOptions) {
      await ready();
      return waitForOutcome(() => engine.admin, commandId, outcomeOptions?.timeoutMs ?? 30_000);
    },

    async transaction(fn) {
      const outer = scopeStorage.getStore();
      if (outer && !outer.closed) return fn(transactionApi(outer));
      return running('app.transaction()', async () => {
        await ready();
        return engine.transaction(async (tx) => {
          const scope: Scope = { tx: tx as Tx<unknown>, closed: false };
          try {
            return await scopeStorage.run(scope, () => fn(transactionApi(scope)));
          } finally {
            scope.closed = true;
          }
        });
      });
    },

    consumer(name, consumerOptions) {
      const existing = groups.get(name);
      if (existing) {
        const conflict = conflictingOptions(existing.options, consumerOptions);
        if (conflict) {
          throw new FactlineError(
            'INVALID_ARGUMENT',
            `consumer group ${name} is already declared with other options (${conflict}); give a group's options once, in its first app.consumer('${name}', options), and call app.consumer('${name}') without options elsewhere`,
          );
        }
        return existing;
      }
      if (started) throw new FactlineError('ALREADY_STARTED', `consumer group ${name} must be declared before app.start()`);
      const group = new ConsumerGroup<Db>(name, consumerOptions ?? {}, () => {
        if (started) throw new FactlineError('ALREADY_STARTED', `handlers of group ${name} must be registered before app.start()`);
      });
      groups.set(name, group);
      return group;
    },

    workflow(definition, workflowOptions) {
      return registerWorkflow(app, definition as WorkflowDefinition, workflowOptions);
    },

    async start() {
      if (stopped) throw stoppedError('app.start()');
      if (started) return;
      await ready();
      if (stopped) throw stoppedError('app.start()'); // stop() was called while the log opened
      if (started) return; // a concurrent start() got here first
      started = true;
      try {
        for (const group of groups.values()) await registry.handled(group.name, ownDefinitions(group));
      } catch (err) {
        started = false;
        throw err;
      }
      for (const group of groups.values()) {
        const o = effectiveOptions(group.options);
        const runner = new GroupRunner(
          engine as Engine,
          {
            name: group.name,
            handlers: group.handlers,
            startFrom: o.startFrom,
            concurrency: o.concurrency,
            batchSize: o.batchSize,
            batchBytes: o.batchBytes,
            sizes,
            readGate: new ReadGate(READ_TURNS),
            partitions,
            strict: o.strict,
            pollMs: o.pollMs,
            maxPollMs: o.maxPollMs,
            retry: group.retry,
            clock,
            random: options.random ?? Math.random,
            logger,
            publisher: publishInScope,
            ...(telemetry ? { telemetry } : {}),
            newer: new NewerVersions(group.name, () => engine.admin, () => clock.now()),
            ...(o.onDeadLetter ? { onDeadLetter: o.onDeadLetter } : {}),
            ...(o.onCommitted ? { onCommitted: o.onCommitted } : {}),
          },
          { leaseTtlMs: o.leaseTtlMs, heartbeatMs: o.heartbeatMs },
        );
        runners.push(runner);
      }
      try {
        await checkSingleHandlers(engine as Engine, runners.map((r) => ({ group: groups.get(r.group)!, member: r.member })), clock.now());
      } catch (err) {
        runners.length = 0;
        throw err;
      }
      unwatchStore = telemetry?.watchStore?.(engine as Engine, () => clock.now(), (err) => logger.warn({ err: String(err) }, 'reading the store for metrics failed'));
      unwatch = engine.watch((partitions) => {
        for (const r of runners) r.poke(partitions);
      });
      await Promise.all(runners.map((r) => r.start()));
      dueDelivery = new DueDelivery(engine as Engine, clock, logger, options.scheduledPollMs ?? 100);
      dueDelivery.start();
      const retention = options.inboxRetentionMs ?? 7 * DAY;
      pruneTimer = setInterval(() => {
        engine.pruneInbox(clock.now() - retention).catch((err) => logger.error({ err: String(err) }, 'inbox prune failed'));
      }, Math.min(retention / 10, 3600_000));
      pruneTimer.unref?.();
      keepAlive = setInterval(() => undefined, 1 << 30);
      if (options.stopOnSignals) removeSignalListeners = stopOnSignals(app, options.stopOnSignals === true ? ['SIGTERM', 'SIGINT'] : options.stopOnSignals, logger);
    },

    stop() {
      stopping ??= (async () => {
        stopped = true;
        removeSignalListeners?.();
        clearInterval(pruneTimer);
        clearInterval(keepAlive);
        unwatch?.();
        await dueDelivery?.stop();
        unwatchStore?.();
        await Promise.all(runners.map((r) => r.stop()));
        if (opening) await opening.catch(() => undefined);
        await engine.close();
      })();
      return stopping;
    },

    health(healthOptions) {
      const state = stopped ? 'stopped' : started ? 'running' : 'starting';
      return healthOf(engine as Engine, state, runners, healthOptions?.timeoutMs ?? 5000);
    },

    assignments() {
      const out: Record<string, number[]> = {};
      for (const r of runners) out[r.group] = r.partitions;
      return out;
    },
  };
  return app;
}

/** The definitions a group's own handlers declare (not the older versions they reach by upcasting). */
function ownDefinitions(group: ConsumerGroup<unknown>): EventDefinition[] {
  return [...group.handlers.values()].flatMap((versions) => [...versions.values()].filter((r) => !r.upcast).map((r) => r.definition));
}
