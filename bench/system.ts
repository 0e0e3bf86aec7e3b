/**
 * The contract every benchmarked system implements: the peers under bench/peers/ and
 * the Factline engines. A system only provides primitives (publish, consume, clean up);
 * the scenarios in bench/scenarios.ts drive them, time them and verify delivery, so that
 * every system is measured by the same code.
 */

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
  /** Stop the consumers and delete everything this topic created (tables, queues, files). */
  close(): Promise<void>;
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
}
