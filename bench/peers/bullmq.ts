/**
 * Peer: BullMQ 6 on Redis with `appendonly yes` + `appendfsync always`.
 *
 * setup() switches the server to fsync-always AOF and teardown() restores the previous
 * settings. Fan-out is one queue per consumer group: a batch is one addBulk per queue
 * (in parallel), a single publish one add per queue. Each group has one Worker; the
 * processed mark is kept in memory (a Set), and a delivery counts as done when BullMQ
 * reports the job completed. Completed jobs are removed. All keys live under a prefix
 * unique to the run.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { PROBE_TIMEOUT_MS, type BenchConfig } from '../config.js';
import { errorText, sleep, withTimeout } from '../measure.js';
import type { BenchEvent, BenchSystem, BenchTopic, GroupSink, RetryingGroupOptions } from '../system.js';
import { idOf } from '../workload.js';
import { MemoryMarks } from './marks.js';
import { BULL_RETRY, startBullRetrying, type BullRetrying } from './bullmq-retry.js';

const WORKER_CONCURRENCY = 50;
const PERSISTENCE = ['appendonly', 'appendfsync'] as const;

type EventData = Record<string, unknown>;

class BullTopic implements BenchTopic {
  private readonly queues: Queue<EventData>[] = [];
  private readonly workers: Worker<EventData>[] = [];
  private readonly clients: Redis[] = [];
  private readonly marks: MemoryMarks;
  private retrying: BullRetrying | undefined;

  private closing: Promise<void> | undefined;

  constructor(
    private readonly connect: () => Redis,
    private readonly prefix: string,
    private readonly names: string[],
  ) {
    this.marks = new MemoryMarks(names.length);
  }

  /** An ioredis connection, BullMQ's usual client; BullMQ duplicates it for blocking reads. */
  private async connection(): Promise<Redis> {
    const client = this.connect();
    this.clients.push(client);
    return client;
  }

  async open(): Promise<void> {
    for (const name of this.names) {
      const queue = new Queue<EventData>(name, {
        connection: await this.connection(),
        prefix: this.prefix,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true, ...BULL_RETRY },
      });
      await queue.waitUntilReady();
      this.queues.push(queue);
    }
  }

  async publishBatch(events: readonly BenchEvent[]): Promise<void> {
    const jobs = events.map((e) => ({ name: 'event', data: JSON.parse(e.body) as EventData }));
    await Promise.all(this.queues.map((queue) => queue.addBulk(jobs)));
  }

  async publishOne(event: BenchEvent): Promise<void> {
    const data = JSON.parse(event.body) as EventData;
    await Promise.all(this.queues.map((queue) => queue.add('event', data)));
  }

  async startGroup(group: number, sink: GroupSink): Promise<void> {
    const name = this.names[group];
    if (!name) throw new Error(`no queue for group ${group}`);
    const worker = new Worker<EventData>(
      name,
      async (job) => {
        const id = idOf(job.data);
        sink.started(id);
        this.marks.markNow(group, id);
      },
      { connection: await this.connection(), prefix: this.prefix, concurrency: WORKER_CONCURRENCY },
    );
    worker.on('completed', () => sink.done(1));
    worker.on('error', (err) => console.error(`  bullmq worker ${group}: ${errorText(err)}`));
    this.workers.push(worker);
    await worker.waitUntilReady();
  }

  async startRetryingGroup(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string> {
    const name = this.names[group];
    if (!name) throw new Error(`no queue for group ${group}`);
    this.retrying = await startBullRetrying(name, await this.connection(), this.prefix, work, sink, options);
    this.workers.push(this.retrying.worker as Worker<EventData>);
    return this.retrying.retry;
  }

  async effects(): Promise<{ rows: number; distinct: number }> {
    return this.retrying?.marks.counts() ?? { rows: 0, distinct: 0 };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const worker of this.workers) await worker.close(true);
    for (const queue of this.queues) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    for (const client of this.clients) await client.quit();
    await this.marks.drop();
  }
}

export class BullMqSystem implements BenchSystem {
  readonly name = 'bullmq';
  readonly kind = 'peer';
  readonly retries = true;
  readonly durability = 'Redis AOF with appendfsync always: the AOF is fsynced before replies go out (once per event-loop turn)';
  readonly marks = `in memory (a Set per group); done when BullMQ completes the job (worker concurrency ${WORKER_CONCURRENCY})`;
  private admin: Redis | undefined;
  private previous = new Map<string, string>();
  private readonly open = new Set<BullTopic>();
  private readonly prefix: string;
  private topics = 0;

  constructor(private readonly cfg: BenchConfig) {
    this.prefix = `factline-bench-${cfg.runId}`;
  }

  private redis(): Redis {
    const client = new Redis({ host: this.cfg.host, port: this.cfg.redisPort, maxRetriesPerRequest: null, connectTimeout: PROBE_TIMEOUT_MS });
    client.on('error', (err: unknown) => console.error(`  redis: ${errorText(err)}`));
    return client;
  }

  async available(): Promise<string | null> {
    const client = new Redis({ host: this.cfg.host, port: this.cfg.redisPort, maxRetriesPerRequest: 0, connectTimeout: PROBE_TIMEOUT_MS, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await withTimeout(client.connect(), PROBE_TIMEOUT_MS, 'Redis connect');
      const pong = await client.ping();
      return pong === 'PONG' ? null : `Redis answered PING with ${String(pong)}`;
    } catch (err) {
      return `Redis ${this.cfg.host}:${this.cfg.redisPort}: ${errorText(err)}`;
    } finally {
      client.disconnect();
    }
  }

  async setup(): Promise<void> {
    const admin = this.redis();
    this.admin = admin;
    for (const key of PERSISTENCE) {
      const reply = (await admin.config('GET', key)) as unknown;
      const value = Array.isArray(reply) ? (reply[1] as unknown) : undefined;
      if (typeof value !== 'string') throw new Error(`CONFIG GET ${key} answered ${JSON.stringify(reply)}`);
      this.previous.set(key, value);
    }
    await admin.config('SET', 'appendonly', 'yes');
    await admin.config('SET', 'appendfsync', 'always');
    // Turning AOF on starts a rewrite; measure only once it has finished.
    for (let i = 0; i < 300; i++) {
      const info = await admin.info('persistence');
      if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0')) return;
      await sleep(100);
    }
    throw new Error('the AOF rewrite after CONFIG SET appendonly yes did not finish within 30 s');
  }

  async teardown(): Promise<void> {
    const admin = this.admin;
    if (!admin) return;
    this.admin = undefined;
    try {
      // Server settings first: they matter more than leftover keys if cleanup is cut short.
      for (const key of [...PERSISTENCE].reverse()) {
        const value = this.previous.get(key);
        if (value !== undefined) await admin.config('SET', key, value);
      }
      // Topics still open (an interrupted run) would keep writing keys.
      for (const topic of this.open) await topic.close().catch(() => undefined);
      await this.deleteKeys(admin);
      await sleep(200);
      await this.deleteKeys(admin);
    } finally {
      await admin.quit();
    }
  }

  /** Removes whatever a failed or interrupted topic left under this run's prefix. */
  private async deleteKeys(admin: Redis): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.unlink(...keys);
    } while (cursor !== '0');
  }

  async createTopic(groups: number): Promise<BenchTopic> {
    const topic = ++this.topics;
    const names = Array.from({ length: groups }, (_, g) => `t${topic}-g${g}`);
    const bull = new BullTopic(
      () => this.redis(),
      this.prefix,
      names,
    );
    this.open.add(bull);
    await bull.open();
    return {
      publishBatch: (events) => bull.publishBatch(events),
      publishOne: (event) => bull.publishOne(event),
      startGroup: (group, sink) => bull.startGroup(group, sink),
      startRetryingGroup: (group, work, sink, options) => bull.startRetryingGroup(group, work, sink, options),
      effects: () => bull.effects(),
      close: async () => {
        await bull.close();
        this.open.delete(bull);
      },
    };
  }
}
