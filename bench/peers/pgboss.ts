/**
 * Peer: pg-boss 10 (the last line that supports Node 20) on PostgreSQL.
 *
 * Fan-out is one queue per consumer group; a publish inserts one job per group with a
 * single `insert()` (one statement, one commit; a batch is 1,000 events x groups jobs).
 * Each group has one worker fetching batches of jobs; the handler writes the processed
 * marks in the same database (INSERT ... ON CONFLICT DO NOTHING, one tx per batch) and
 * pg-boss then completes the jobs in its own statement.
 */
import PgBoss from 'pg-boss';
import { type BenchConfig } from '../config.js';
import { errorText, sleep } from '../measure.js';
import type { BenchEvent, BenchSystem, BenchTopic, GroupSink, RetryingGroupOptions } from '../system.js';
import { idOf } from '../workload.js';
import { PgMarks } from './marks.js';
import { PGBOSS_RETRY, startPgBossRetrying, type PgBossRetrying } from './pgboss-retry.js';
import { ident, pgAvailable, pgPool, type Pool } from './pg.js';

/** Jobs per fetch. */
const WORK_BATCH = 1_000;
/** pg-boss's minimum; its worker waits this long between fetches unless notified. */
const POLLING_SECONDS = 0.5;

class PgBossTopic implements BenchTopic {
  private readonly queues: string[];
  private marks: PgMarks | undefined;
  private inFlight = 0;
  private retrying: PgBossRetrying | undefined;

  constructor(
    private readonly boss: PgBoss,
    private readonly pool: Pool,
    private readonly marksSchema: string,
    private readonly topic: number,
    groups: number,
  ) {
    this.queues = Array.from({ length: groups }, (_, g) => `fbench-t${topic}-g${g}`);
  }

  async create(): Promise<void> {
    for (const queue of this.queues) await this.boss.createQueue(queue, { name: queue, ...PGBOSS_RETRY });
    this.marks = await PgMarks.create(this.pool, this.marksSchema, `t${this.topic}`, this.queues.length);
  }

  private jobs(events: readonly BenchEvent[]): PgBoss.JobInsert[] {
    const jobs: PgBoss.JobInsert[] = [];
    for (const e of events) {
      const data = JSON.parse(e.body) as object;
      for (const name of this.queues) jobs.push({ name, data });
    }
    return jobs;
  }

  async publishBatch(events: readonly BenchEvent[]): Promise<void> {
    await this.boss.insert(this.jobs(events));
  }

  async publishOne(event: BenchEvent): Promise<void> {
    await this.boss.insert(this.jobs([event]));
  }

  async startGroup(group: number, sink: GroupSink): Promise<void> {
    const queue = this.queues[group];
    const marks = this.marks;
    if (!queue || !marks) throw new Error(`no queue for group ${group}`);
    await this.boss.work(queue, { batchSize: WORK_BATCH, pollingIntervalSeconds: POLLING_SECONDS }, async (jobs) => {
      const ids = jobs.map((job) => {
        const id = idOf(job.data);
        sink.started(id);
        return id;
      });
      this.inFlight++;
      try {
        await marks.mark(group, ids);
        sink.done(ids.length);
      } finally {
        this.inFlight--;
      }
    });
  }

  async startRetryingGroup(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string> {
    const queue = this.queues[group];
    if (!queue) throw new Error(`no queue for group ${group}`);
    this.retrying = await startPgBossRetrying(this.boss, queue, work, sink, options);
    return this.retrying.retry;
  }

  async effects(): Promise<{ rows: number; distinct: number }> {
    return this.retrying?.marks.counts() ?? { rows: 0, distinct: 0 };
  }

  /**
   * Stops the workers. The queues and their jobs stay until teardown drops the schema:
   * pg-boss completes a batch after the handler returns without waiting, so deleting jobs
   * here would race those completions (and each queue is its own partition anyway).
   */
  async close(): Promise<void> {
    for (const queue of this.queues) await this.boss.offWork(queue);
    while (this.inFlight > 0) await sleep(20);
    await this.marks?.drop();
  }
}

export class PgBossSystem implements BenchSystem {
  readonly name = 'pg-boss';
  readonly kind = 'peer';
  readonly retries = true;
  readonly durability = 'PostgreSQL commit of the job insert (synchronous_commit=on): WAL fsync per commit';
  readonly marks = `PostgreSQL, same database: INSERT ... ON CONFLICT DO NOTHING per fetched batch (${WORK_BATCH} jobs, ${POLLING_SECONDS} s polling), then pg-boss completes the jobs`;
  private boss: PgBoss | undefined;
  private pool: Pool | undefined;
  private readonly bossSchema: string;
  private readonly marksSchema: string;
  private topics = 0;

  constructor(private readonly cfg: BenchConfig) {
    this.bossSchema = `factline_bench_pgboss_${cfg.runId}`;
    this.marksSchema = `factline_bench_pgboss_marks_${cfg.runId}`;
  }

  available(): Promise<string | null> {
    return pgAvailable(this.cfg);
  }

  async setup(): Promise<void> {
    this.pool = pgPool(this.cfg, 8);
    await this.pool.query(`CREATE SCHEMA ${ident(this.marksSchema)}`);
    const boss = new PgBoss({
      host: this.cfg.host,
      port: this.cfg.pg.port,
      user: this.cfg.pg.user,
      database: this.cfg.pg.database,
      schema: this.bossSchema,
      max: 16,
      supervise: false,
      schedule: false,
    });
    boss.on('error', (err) => console.error(`  pg-boss: ${errorText(err)}`));
    await boss.start();
    this.boss = boss;
  }

  async teardown(): Promise<void> {
    await this.boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
    this.boss = undefined;
    if (!this.pool) return;
    for (const schema of [this.bossSchema, this.marksSchema]) {
      await this.pool.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    }
    await this.pool.end();
    this.pool = undefined;
  }

  async createTopic(groups: number): Promise<BenchTopic> {
    if (!this.boss || !this.pool) throw new Error('setup() was not called');
    const topic = new PgBossTopic(this.boss, this.pool, this.marksSchema, ++this.topics, groups);
    await topic.create();
    return topic;
  }
}
