/**
 * Peer: NATS JetStream, file storage, one stream per topic and one durable pull consumer
 * (explicit acks) per group. Publishes carry the event id as Nats-Msg-Id, so the stream
 * drops a re-publish of the same event. JetStream of this era has no batch publish: a
 * "batch" is all of its publishes in flight at once, resolved when every PubAck is in.
 *
 * Two variants: processed marks in memory (the acks of the deliveries handled in one
 * event-loop turn go out together, right after their marks), or marks in PostgreSQL:
 * deliveries queue up while a mark transaction is in flight and the next transaction
 * takes all of them (INSERT ... ON CONFLICT DO NOTHING), then acks them.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PROBE_TIMEOUT_MS, type BenchConfig } from '../config.js';
import { errorText } from '../measure.js';
import type { BenchEvent, BenchSystem, BenchTopic, GroupSink, RetryingGroupOptions } from '../system.js';
import { decodeId } from '../workload.js';
import { Batcher } from './batcher.js';
import { MemoryMarks, PgMarks, type MarkStore } from './marks.js';
import { startNatsRetrying, type NatsRetrying } from './nats-retry.js';
import { ident, pgAvailable, pgPool, type Pool } from './pg.js';

const PULL_BATCH = 1_000;
const MAX_ACK_PENDING = 10_000;

export type NatsMarks = 'memory' | 'postgres';

class NatsTopic implements BenchTopic {
  private readonly subject: string;
  private readonly streams: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  private retrying: NatsRetrying | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly marks: MarkStore,
    private readonly groups: number,
  ) {
    this.subject = `${stream.toLowerCase()}.events`;
  }

  async create(): Promise<void> {
    await this.jsm.streams.add({ name: this.stream, subjects: [this.subject], storage: StorageType.File });
    for (let g = 0; g < this.groups; g++) {
      await this.jsm.consumers.add(this.stream, {
        durable_name: `g${g}`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: MAX_ACK_PENDING,
      });
    }
  }

  async publishBatch(events: readonly BenchEvent[]): Promise<void> {
    await Promise.all(events.map((e) => this.js.publish(this.subject, e.body, { msgID: e.id })));
  }

  async publishOne(event: BenchEvent): Promise<void> {
    await this.js.publish(this.subject, event.body, { msgID: event.id });
  }

  async startGroup(group: number, sink: GroupSink): Promise<void> {
    const consumer = await this.js.consumers.get(this.stream, `g${group}`);
    const messages = await consumer.consume({ max_messages: PULL_BATCH });
    this.streams.push(messages);
    const handle = this.handler(group, sink);
    this.loops.push(
      (async () => {
        for await (const msg of messages) {
          const id = decodeId(msg.data);
          sink.started(id);
          handle.take(msg, id);
        }
        await handle.idle();
      })().catch((err: unknown) => console.error(`  nats group ${group}: ${errorText(err)}`)),
    );
  }

  /**
   * Memory marks: mark at once, and send the acks of every delivery handled in the same
   * event-loop turn together (acking inline, one by one, halves throughput with this
   * client). PostgreSQL marks: one mark transaction per micro-batch, then its acks.
   */
  private handler(group: number, sink: GroupSink): { take(msg: JsMsg, id: string): void; idle(): Promise<void> } {
    const marks = this.marks;
    if (marks instanceof MemoryMarks) {
      let pending: JsMsg[] = [];
      const ackPending = (): void => {
        const batch = pending;
        pending = [];
        for (const msg of batch) msg.ack();
        sink.done(batch.length);
      };
      return {
        take: (msg, id) => {
          marks.markNow(group, id);
          if (pending.push(msg) === 1) setImmediate(ackPending);
        },
        idle: async () => undefined,
      };
    }
    const batcher = new Batcher<[JsMsg, string]>(async (items) => {
      await marks.mark(
        group,
        items.map(([, id]) => id),
      );
      for (const [msg] of items) msg.ack();
      sink.done(items.length);
    });
    return { take: (msg, id) => batcher.push([msg, id]), idle: () => batcher.idle() };
  }

  async startRetryingGroup(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string> {
    this.retrying = await startNatsRetrying(this.js, this.jsm, this.stream, group, work, sink, options);
    return this.retrying.retry;
  }

  async effects(): Promise<{ rows: number; distinct: number }> {
    return this.retrying?.marks.counts() ?? { rows: 0, distinct: 0 };
  }

  async close(): Promise<void> {
    for (const messages of this.streams) messages.stop();
    await Promise.all(this.loops);
    await this.retrying?.stop();
    await this.jsm.streams.delete(this.stream);
    await this.marks.drop();
  }
}

export class NatsSystem implements BenchSystem {
  readonly name: string;
  readonly kind = 'peer';
  durability = 'JetStream file store: PubAck once the message is written to the store (fsync only every sync_interval)';
  readonly marks: string;
  /** The flaky scenario keeps its marks in memory either way: it runs once, on the memory variant. */
  readonly retries: boolean;
  readonly awaitingGroups = true;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private pool: Pool | undefined;
  private readonly schema: string;
  private topics = 0;

  constructor(
    private readonly cfg: BenchConfig,
    private readonly markStore: NatsMarks,
  ) {
    this.name = markStore === 'memory' ? 'nats-jetstream' : 'nats-jetstream+pg';
    this.retries = markStore === 'memory';
    this.marks =
      markStore === 'memory'
        ? 'in memory (a Set per group); explicit acks, those of one event-loop turn sent together (acks not confirmed)'
        : 'PostgreSQL: INSERT ... ON CONFLICT DO NOTHING per micro-batch of deliveries, then ack (acks not confirmed)';
    this.schema = `factline_bench_nats_marks_${cfg.runId}`;
  }

  private async connect(): Promise<NatsConnection> {
    return connect({ servers: `${this.cfg.host}:${this.cfg.natsPort}`, timeout: PROBE_TIMEOUT_MS, reconnect: false });
  }

  async available(): Promise<string | null> {
    try {
      const nc = await this.connect();
      const info = nc.info;
      await nc.close();
      if (!info?.jetstream) return `NATS ${this.cfg.host}:${this.cfg.natsPort} has JetStream disabled`;
    } catch (err) {
      return `NATS ${this.cfg.host}:${this.cfg.natsPort}: ${errorText(err)}`;
    }
    return this.markStore === 'postgres' ? pgAvailable(this.cfg) : null;
  }

  async setup(): Promise<void> {
    this.nc = await this.connect();
    this.jsm = await jetstreamManager(this.nc);
    this.js = jetstream(this.nc);
    const version = this.nc.info?.version ?? 'unknown';
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major === 2 && minor < 10) {
      this.durability = `JetStream ${version} file store: PubAck once written to the OS page cache; this build has no sync-always option and fsyncs only every sync_interval (2 min)`;
    } else {
      this.durability = `JetStream ${version} file store: PubAck once written to the OS page cache; fsync every sync_interval (default 2 min, server default config)`;
    }
    if (this.markStore === 'postgres') {
      this.pool = pgPool(this.cfg, 6);
      await this.pool.query(`CREATE SCHEMA ${ident(this.schema)}`);
    }
  }

  async teardown(): Promise<void> {
    await this.nc?.close();
    this.nc = undefined;
    if (this.pool) {
      await this.pool.query(`DROP SCHEMA IF EXISTS ${ident(this.schema)} CASCADE`);
      await this.pool.end();
      this.pool = undefined;
    }
  }

  async createTopic(groups: number): Promise<BenchTopic> {
    if (!this.js || !this.jsm) throw new Error('setup() was not called');
    const n = ++this.topics;
    const marks = this.pool ? await PgMarks.create(this.pool, this.schema, `t${n}`, groups) : new MemoryMarks(groups);
    const stream = `FACTLINE_BENCH_${this.cfg.runId.toUpperCase()}_${this.markStore === 'memory' ? 'M' : 'P'}${n}`;
    const topic = new NatsTopic(this.js, this.jsm, stream, marks, groups);
    await topic.create();
    return topic;
  }
}
