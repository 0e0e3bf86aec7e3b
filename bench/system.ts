/**
 * The contract every benchmarked system implements: the peers under bench/peers/ and
 * the Factline engines. A system only provides primitives (publish, consume, clean up);
 * the scenarios in bench/scenarios.ts drive them, time them and verify delivery, so that
 * every system is measured by the same code.
 */
import type { EngineSpec } from './factline/engine-spec.js';

/** One event of the canonical workload (see bench/workload.ts). */
export interface BenchEvent {
  /** A UUID, unique per event: the key of the idempotent processed mark. */
  readonly id: string;
  /** The entity key (partition key); the workload spreads events over 1,000 keys. */
  readonly key: string;
  /** The serialized event, about 300 bytes of JSON; it contains `id` and `key`. */
  readonly body: string;
}

/**
 * Where a consumer group reports what it does. The harness records delivery, duplicates
 * and latency from these calls, so a system must call them from its real handler path.
 */
export interface GroupSink {
  /**
   * Call at the start of the handler, once per delivery (a redelivery calls it again),
   * with the id decoded from the delivered message, before the processed mark is written.
   */
  started(id: string): void;
  /**
   * Call once the processed marks of `count` deliveries are durable (committed), or,
   * for a system whose mark lives in memory, once the deliveries are acknowledged.
   */
  done(count: number): void;
}

/**
 * A fresh, isolated log or set of queues with `groups` consumer groups declared.
 * Created by {@link BenchSystem.createTopic}; nothing consumes until `startGroup`.
 */
export interface BenchTopic {
  /**
   * Publish all events durably as one batch, using the system's batch facility where it
   * has one; resolves when every event is durable by the system's own definition. The
   * harness calls it with chunks of `batchSize` events (1,000 by default), one at a time.
   */
  publishBatch(events: readonly BenchEvent[]): Promise<void>;
  /**
   * Publish one event durably; resolves when it is durable. The harness may call it
   * concurrently (many calls in flight) and at a fixed rate (latency scenario).
   */
  publishOne(event: BenchEvent): Promise<void>;
  /**
   * Start consumer group `group` (0-based, below the `groups` given to createTopic). It
   * receives every event published to the topic, before or after it starts, and reports
   * through `sink`. Resolves once the consumer runs; consuming continues in the background.
   */
  startGroup(group: number, sink: GroupSink): Promise<void>;
  /**
   * Optional (flaky-provider scenario, bench/flaky/; a peer's slow group, bench/slow-group/):
   * starts consumer group `group` whose handler calls `sink.started(id)`, awaits `work(id)` (the
   * call to the outside provider), then stores the event's effect once. A rejected `work` is
   * retried with the system's own retry mechanism, or in the handler where it has none (the raw
   * logs; see {@link RetryingGroupOptions}); `sink.done(n)` once the effects of n events are
   * stored. Resolves with one line saying which retry mechanism and settings are used.
   */
  startRetryingGroup?(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string>;
  /** With startRetryingGroup: the effects stored, counted where they are stored. */
  effects?(): Promise<{ rows: number; distinct: number }>;
  /** Stop the consumers and delete everything this topic created (tables, queues, files). */
  close(): Promise<void>;
}

/** How the flaky-provider and slow-group scenarios ask a system to retry (each maps it onto its own mechanism). */
export interface RetryingGroupOptions {
  /** Delay before the first retry where the system takes one; later ones grow as the system does. */
  readonly retryMs: number;
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Handler calls in flight at most (Factline: 16 partitions x concurrency 16). */
  readonly inFlight: number;
}

/** A benchmarked system: a peer, or a Factline engine. */
export interface BenchSystem {
  /** Short unique name, used by `--only` and in the tables (e.g. "sqlite-log"). */
  readonly name: string;
  /** Factline engines get ratio columns against every peer. */
  readonly kind: 'factline' | 'peer';
  /** One line: what is really fsync'd or confirmed before a publish resolves. */
  readonly durability: string;
  /** One line: where the consumer's idempotent processed mark lives and how it is written. */
  readonly marks: string;
  /** null when the system can run here, otherwise why not (e.g. "ECONNREFUSED 127.0.0.1:4222"). */
  available(): Promise<string | null>;
  /** Connect and create run-wide resources (unique names per run). Called once per run. */
  setup(): Promise<void>;
  /** Remove everything setup and the topics created, restore any server setting changed. */
  teardown(): Promise<void>;
  /** Create a fresh topic with `groups` consumer groups declared (see {@link BenchTopic}). */
  createTopic(groups: number): Promise<BenchTopic>;
  /**
   * Its topics implement startRetryingGroup and effects, retried by the system's own mechanism
   * (the flaky-provider scenario runs).
   */
  readonly retries?: boolean;
  /**
   * Its topics implement startRetryingGroup, whatever does the retries (a peer's slow group in
   * the slow-group scenario); implied by `retries`.
   */
  readonly awaitingGroups?: boolean;
  /**
   * Factline systems only: a fresh, empty log for scenarios that drive Factline's own API
   * (slow group beside publishers, bench/slow-group/); the scenario drops it when done.
   */
  freshLog?(): EngineSpec;
}
