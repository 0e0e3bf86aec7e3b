/**
 * Peer: a raw append-only log in PostgreSQL.
 *
 * Publish is a multi-row INSERT (unnest of arrays; one statement, one commit per batch).
 * Rows carry the inserting transaction id (xid8). A consumer only reads rows whose
 * transaction id is below pg_snapshot_xmin(pg_current_snapshot()), i.e. rows of
 * transactions that have all finished, in (tx, seq) order from its (tx, seq) cursor: a
 * transaction still in flight can never commit a row "behind" the cursor (snapshot-safe).
 * Each read batch commits its marks (INSERT ... ON CONFLICT DO NOTHING keyed by UUID, one
 * table per group) and the cursor in a single statement, i.e. one transaction per batch.
 * A group whose handler awaits outside work reads smaller batches and handles them
 * concurrently (log-retry.ts).
 */
import { type BenchConfig } from '../config.js';
import { errorText } from '../measure.js';
import type { BenchEvent, BenchSystem, BenchTopic, GroupSink, RetryingGroupOptions } from '../system.js';
import { decodeId } from '../workload.js';
import { EffectMarks } from './effect-marks.js';
import { handleLogBatch, logRetryWords } from './log-retry.js';
import { ident, pgAvailable, pgPool, type Pool, type PoolClient } from './pg.js';
import { Wake } from './wake.js';

const READ_BATCH = 1_000;
const POLL_MS = 10;

/** tx and seq come back as text (xid8 and bigint exceed what a JS number holds exactly). */
interface LogRow {
  tx_text: string;
  seq_text: string;
  body: string;
}

class PgLogTopic implements BenchTopic {
  private readonly log: string;
  private readonly offsets: string;
  private readonly wake = new Wake();
  private readonly loops: Promise<void>[] = [];
  private readonly clients: PoolClient[] = [];
  private readonly effectMarks = new EffectMarks();
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly tag: string,
    private readonly groups: number,
  ) {
    this.log = `${ident(schema)}.${ident(`${tag}_log`)}`;
    this.offsets = `${ident(schema)}.${ident(`${tag}_offsets`)}`;
  }

  private marks(group: number): string {
    return `${ident(this.schema)}.${ident(`${this.tag}_marks_g${group}`)}`;
  }

  async create(): Promise<void> {
    await this.pool.query(`
      CREATE TABLE ${this.log} (
        seq bigserial PRIMARY KEY,
        tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
        id uuid NOT NULL,
        key text NOT NULL,
        body text NOT NULL);
      CREATE INDEX ON ${this.log} (tx, seq);
      CREATE TABLE ${this.offsets} (grp int PRIMARY KEY, tx xid8 NOT NULL, seq bigint NOT NULL);`);
    for (let g = 0; g < this.groups; g++) {
      await this.pool.query(`CREATE TABLE ${this.marks(g)} (event_id uuid PRIMARY KEY)`);
      await this.pool.query(`INSERT INTO ${this.offsets} VALUES ($1, '0', 0)`, [g]);
    }
  }

  async publishBatch(events: readonly BenchEvent[]): Promise<void> {
    await this.pool.query({
      name: `${this.tag}_insert_batch`,
      text: `INSERT INTO ${this.log} (id, key, body) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
      values: [events.map((e) => e.id), events.map((e) => e.key), events.map((e) => e.body)],
    });
    this.wake.notify();
  }

  async publishOne(event: BenchEvent): Promise<void> {
    await this.pool.query({
      name: `${this.tag}_insert_one`,
      text: `INSERT INTO ${this.log} (id, key, body) VALUES ($1, $2, $3)`,
      values: [event.id, event.key, event.body],
    });
    this.wake.notify();
  }

  async startGroup(group: number, sink: GroupSink): Promise<void> {
    const handle = (ids: readonly string[]): number => {
      for (const id of ids) sink.started(id);
      return ids.length;
    };
    await this.startLoop(group, READ_BATCH, handle, sink);
  }

  async startRetryingGroup(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string> {
    const handle = (ids: readonly string[]): Promise<number> => handleLogBatch(ids, this.effectMarks, work, sink, options);
    await this.startLoop(group, options.inFlight, handle, sink);
    return logRetryWords(options);
  }

  async effects(): Promise<{ rows: number; distinct: number }> {
    return this.effectMarks.counts();
  }

  private async startLoop(group: number, limit: number, handle: (ids: readonly string[]) => number | Promise<number>, sink: GroupSink): Promise<void> {
    const client = await this.pool.connect();
    this.clients.push(client);
    this.loops.push(this.consume(client, group, limit, handle, sink));
  }

  /** Reads `limit` rows at a time; `handle` returns how many deliveries to report done once committed. */
  private async consume(client: PoolClient, group: number, limit: number, handle: (ids: readonly string[]) => number | Promise<number>, sink: GroupSink): Promise<void> {
    const read = {
      name: `${this.tag}_read_${limit}`,
      text: `SELECT tx::text AS tx_text, seq::text AS seq_text, body FROM ${this.log}
             WHERE (tx, seq) > ($1::xid8, $2::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY tx, seq LIMIT ${limit}`,
    };
    const commit = {
      name: `${this.tag}_commit_g${group}`,
      text: `WITH m AS (INSERT INTO ${this.marks(group)} (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING)
             UPDATE ${this.offsets} SET tx = $2::xid8, seq = $3::bigint WHERE grp = ${group}`,
    };
    let cursor = { tx: '0', seq: '0' };
    try {
      while (!this.stopped) {
        const { rows } = await client.query<LogRow>({ ...read, values: [cursor.tx, cursor.seq] });
        const tail = rows[rows.length - 1];
        if (!tail) {
          await this.wake.wait(POLL_MS);
          continue;
        }
        const ids = rows.map((row) => decodeId(row.body));
        const handled = await handle(ids);
        await client.query({ ...commit, values: [ids, tail.tx_text, tail.seq_text] });
        cursor = { tx: tail.tx_text, seq: tail.seq_text };
        sink.done(handled);
      }
    } catch (err) {
      if (!this.stopped) console.error(`  pg-log group ${group}: ${errorText(err)}`);
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake.notify();
    await Promise.all(this.loops);
    for (const client of this.clients) client.release();
    const tables = [this.log, this.offsets, ...Array.from({ length: this.groups }, (_, g) => this.marks(g))];
    await this.pool.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`);
  }
}

export class PgLogSystem implements BenchSystem {
  readonly name = 'pg-log';
  readonly kind = 'peer';
  /** startRetryingGroup retries in the handler (log-retry.ts): not a mechanism of the log, so no flaky run. */
  readonly awaitingGroups = true;
  readonly durability = 'PostgreSQL commit (synchronous_commit=on): WAL fsync per commit, concurrent commits share a flush';
  readonly marks = 'same database: INSERT ... ON CONFLICT DO NOTHING keyed by event UUID + cursor, one tx per read batch';
  private pool: Pool | undefined;
  private readonly schema: string;
  private topics = 0;

  constructor(private readonly cfg: BenchConfig) {
    this.schema = `factline_bench_pglog_${cfg.runId}`;
  }

  available(): Promise<string | null> {
    return pgAvailable(this.cfg);
  }

  async setup(): Promise<void> {
    this.pool = pgPool(this.cfg, 24);
    await this.pool.query(`CREATE SCHEMA ${ident(this.schema)}`);
  }

  async teardown(): Promise<void> {
    if (!this.pool) return;
    await this.pool.query(`DROP SCHEMA IF EXISTS ${ident(this.schema)} CASCADE`);
    await this.pool.end();
    this.pool = undefined;
  }

  async createTopic(groups: number): Promise<BenchTopic> {
    if (!this.pool) throw new Error('setup() was not called');
    const topic = new PgLogTopic(this.pool, this.schema, `t${++this.topics}`, groups);
    await topic.create();
    return topic;
  }
}
