/** The public shape of an app: its options, its transactions and what it does (see app.ts). */
import type { Clock } from './core/clock.js';
import type { Engine } from './core/engine.js';
import type { Envelope } from './core/envelope.js';
import type { DataOf, EventDefinition, InputOf } from './core/event.js';
import type { Logger } from './observe/logger.js';
import type { TelemetryOptions } from './observe/load-telemetry.js';
import type { Health } from './observe/health.js';
import type { PublishOptions } from './publish/build-envelope.js';
import type { ConsumerGroup, ConsumerOptions } from './consumer/consumer-group.js';
import type { CommandDefinition, CommandInputOf, CommandDataOf } from './core/command.js';
import type { ScheduleOptions, ScheduledDelivery } from './schedule/schedule-options.js';
import type { CommandOutcome } from './command/outcome.js';
import type { WorkflowDefinition } from './workflow/definition.js';

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
  /**
   * Graceful shutdown. `true`: the first SIGTERM or SIGINT after `app.start()` calls `app.stop()`
   * (in-flight work finishes and commits, the leases are released, so other members take over at
   * once); a list names other signals. Once stopped, the signal takes its default effect (the
   * process ends by it) unless the process has other listeners for it; a second signal while
   * stopping ends the process at once. `app.stop()` removes the listeners. Default false.
   */
  readonly stopOnSignals?: boolean | readonly NodeJS.Signals[];
  /** How often a started app looks for scheduled events that are due (default 100 ms). */
  readonly scheduledPollMs?: number;
  /**
   * OpenTelemetry spans and metrics (see docs/observability.md). By default, on when
   * `@opentelemetry/api` is installed and an SDK registered global providers before the app opens
   * its log; `false` turns both off without looking for the package.
   */
  readonly telemetry?: TelemetryOptions | false;
}

/** A transaction of the app: its own writes on `db`, and publishes that commit with them. */
export interface Transaction<Db> {
  readonly db: Db;
  publish<D extends EventDefinition>(definition: D, data: InputOf<D>, options?: PublishOptions): Promise<Envelope<DataOf<D>>>;
  /** Schedules in this transaction (see Factline.schedule). */
  schedule<D extends EventDefinition | CommandDefinition>(definition: D, data: InputOf<D> | CommandInputOf<D>, options: ScheduleOptions): Promise<ScheduledDelivery>;
  /** Sends a command in this transaction (see Factline.send). */
  send<C extends CommandDefinition>(command: C, data: CommandInputOf<C>, options?: PublishOptions): Promise<Envelope<CommandDataOf<C>>>;
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
  /**
   * Stores an event (or a command) to be appended to the log at `options.at` or after
   * `options.delayMs`. Durable once it resolves; inside a transaction or a handler it commits with
   * it. A started app appends it once it is due (within `scheduledPollMs`), exactly once, with
   * its `time` set to the delivery; it then takes its place in per-key order behind what its key
   * already has in the log. Resolves to its id, for `cancelScheduled`.
   */
  schedule<D extends EventDefinition | CommandDefinition>(definition: D, data: InputOf<D> | CommandInputOf<D>, options: ScheduleOptions): Promise<ScheduledDelivery>;
  /**
   * Cancels a scheduled event not yet delivered; resolves true if it removed it, false when it was
   * delivered already, cancelled already, or never scheduled. Joins the current transaction.
   */
  cancelScheduled(id: string): Promise<boolean>;
  /**
   * Sends a command: validates it, appends it to the log (partitioned by its target) and records
   * it as pending, in one transaction (the current one inside `transaction()` or a handler).
   * Resolves once durable, with its envelope; `outcome(envelope.id)` waits for its decision.
   */
  send<C extends CommandDefinition>(command: C, data: CommandInputOf<C>, options?: PublishOptions): Promise<Envelope<CommandDataOf<C>>>;
  /**
   * Waits until the command's handler accepted or rejected it, or until it became a dead letter;
   * rejects with OutcomeTimeoutError after `timeoutMs` (default 30 s), NOT_FOUND for an unknown id.
   * Never call it inside a handler: the outcome cannot come while the handler waits.
   */
  outcome(commandId: string, options?: { readonly timeoutMs?: number }): Promise<CommandOutcome>;
  /** Runs `fn` in one transaction: the app's writes on `tx.db` and its publishes commit together. */
  transaction<T>(fn: (tx: Transaction<Db>) => Promise<T>): Promise<T>;
  /**
   * The consumer group named `name`, created on the first call with `options`. Later calls return
   * the same group: without options, or with the same ones; other options are refused
   * (INVALID_ARGUMENT), so that no module's settings are silently lost. Register handlers before
   * start().
   */
  consumer(name: string, options?: ConsumerOptions): ConsumerGroup<Db>;
  /**
   * Runs a workflow: its transitions are the store handlers of the consumer group
   * `workflow.<name>`, created with `options`. Declare before start().
   */
  workflow<Data>(definition: WorkflowDefinition<Data>, options?: ConsumerOptions): ConsumerGroup<Db>;
  /** Opens the log, starts every consumer group and, with `stopOnSignals`, listens for the signals. */
  start(): Promise<void>;
  /**
   * Lets in-flight handlers finish and commit, releases leases, closes the engine. Calls after
   * the first resolve when it does. A stopped app does not start again.
   */
  stop(): Promise<void>;
  /** Members of this process per group, and the partitions each works on. */
  assignments(): Record<string, number[]>;
  /**
   * Whether this app is alive and ready for probes: the store answers (within `timeoutMs`,
   * default 5 s), each group's heartbeat loop runs and its member holds its leases, and how far
   * behind each group is. Never throws. See healthHandler for an HTTP endpoint.
   */
  health(options?: { readonly timeoutMs?: number }): Promise<Health>;
}
