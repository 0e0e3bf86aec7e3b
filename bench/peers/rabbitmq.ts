/**
 * Peer: RabbitMQ quorum queues with publisher confirms.
 *
 * One fanout exchange per topic, bound to one durable quorum queue per group. Publishes are
 * persistent on a confirm channel: a batch is published then awaited with
 * waitForConfirms(), a single publish awaits its own confirm. Each group consumes on its
 * own channel (prefetch 1,000) with manual acks; the processed mark is kept in memory.
 */
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { once } from 'node:events';
import { PROBE_TIMEOUT_MS, type BenchConfig } from '../config.js';
import { errorText } from '../measure.js';
import type { BenchEvent, BenchSystem, BenchTopic, GroupSink, RetryingGroupOptions } from '../system.js';
import { decodeId } from '../workload.js';
import { MemoryMarks } from './marks.js';
import { startRabbitRetrying, type RabbitRetrying } from './rabbitmq-retry.js';

const PREFETCH = 1_000;

class RabbitTopic implements BenchTopic {
  private readonly queues: string[];
  private readonly channels: Channel[] = [];
  private readonly marks: MemoryMarks;
  private retrying: RabbitRetrying | undefined;

  constructor(
    private readonly conn: ChannelModel,
    private readonly pub: ConfirmChannel,
    private readonly exchange: string,
    groups: number,
  ) {
    this.queues = Array.from({ length: groups }, (_, g) => `${exchange}.g${g}`);
    this.marks = new MemoryMarks(groups);
  }

  async create(): Promise<void> {
    await this.pub.assertExchange(this.exchange, 'fanout', { durable: true });
    for (const queue of this.queues) {
      await this.pub.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await this.pub.bindQueue(queue, this.exchange, '');
    }
  }

  private send(event: BenchEvent, confirmed?: (err: unknown) => void): boolean {
    const options = { persistent: true, messageId: event.id, contentType: 'application/json' };
    return this.pub.publish(this.exchange, '', Buffer.from(event.body), options, confirmed);
  }

  async publishBatch(events: readonly BenchEvent[]): Promise<void> {
    for (const event of events) {
      if (!this.send(event)) await once(this.pub, 'drain');
    }
    await this.pub.waitForConfirms();
  }

  publishOne(event: BenchEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.send(event, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
  }

  async startGroup(group: number, sink: GroupSink): Promise<void> {
    const queue = this.queues[group];
    if (!queue) throw new Error(`no queue for group ${group}`);
    const channel = await this.conn.createChannel();
    channel.on('error', (err: Error) => console.error(`  rabbitmq group ${group}: ${errorText(err)}`));
    this.channels.push(channel);
    await channel.prefetch(PREFETCH);
    await channel.consume(
      queue,
      (msg) => {
        if (!msg) return;
        const id = decodeId(msg.content);
        sink.started(id);
        this.marks.markNow(group, id);
        channel.ack(msg);
        sink.done(1);
      },
      { noAck: false },
    );
  }

  async startRetryingGroup(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string> {
    const queue = this.queues[group];
    if (!queue) throw new Error(`no queue for group ${group}`);
    this.retrying = await startRabbitRetrying(this.conn, queue, work, sink, options);
    this.channels.push(this.retrying.channel);
    return this.retrying.retry;
  }

  async effects(): Promise<{ rows: number; distinct: number }> {
    return this.retrying?.marks.counts() ?? { rows: 0, distinct: 0 };
  }

  async close(): Promise<void> {
    for (const channel of this.channels) await channel.close().catch(() => undefined);
    for (const queue of this.queues) await this.pub.deleteQueue(queue);
    await this.pub.deleteExchange(this.exchange);
    await this.marks.drop();
  }
}

export class RabbitMqSystem implements BenchSystem {
  readonly name = 'rabbitmq-quorum';
  readonly kind = 'peer';
  readonly retries = true;
  readonly durability = 'quorum queues (Raft log fsynced before the confirm), persistent messages, publisher confirms';
  readonly marks = `in memory (a Set per group); manual ack per message, prefetch ${PREFETCH}`;
  private conn: ChannelModel | undefined;
  private pub: ConfirmChannel | undefined;
  private topics = 0;

  constructor(private readonly cfg: BenchConfig) {}

  private url(): string {
    const { user, password, port } = this.cfg.amqp;
    return `amqp://${user}:${password}@${this.cfg.host}:${port}`;
  }

  async available(): Promise<string | null> {
    try {
      const conn = await amqp.connect(this.url(), { timeout: PROBE_TIMEOUT_MS });
      await conn.close();
      return null;
    } catch (err) {
      return `RabbitMQ ${this.cfg.host}:${this.cfg.amqp.port}: ${errorText(err)}`;
    }
  }

  async setup(): Promise<void> {
    // TCP_NODELAY: otherwise Nagle's algorithm holds small frames (confirms, acks) back.
    // TCP_NODELAY, as for the other clients: small frames (confirms, acks) go out at once.
    this.conn = await amqp.connect(this.url(), { timeout: PROBE_TIMEOUT_MS, noDelay: true });
    this.conn.on('error', (err: Error) => console.error(`  rabbitmq: ${errorText(err)}`));
    this.pub = await this.conn.createConfirmChannel();
  }

  async teardown(): Promise<void> {
    await this.conn?.close();
    this.conn = undefined;
    this.pub = undefined;
  }

  async createTopic(groups: number): Promise<BenchTopic> {
    if (!this.conn || !this.pub) throw new Error('setup() was not called');
    const topic = new RabbitTopic(this.conn, this.pub, `factline-bench.${this.cfg.runId}.t${++this.topics}`, groups);
    await topic.create();
    return topic;
  }
}
