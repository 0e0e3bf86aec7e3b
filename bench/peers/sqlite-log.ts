/**
 * Peer: a raw append-only log in SQLite (better-sqlite3, WAL, synchronous=FULL).
 *
 * Publish inserts into `log` (a batch is one transaction). Each consumer group reads the
 * log in batches by sequence and, in one transaction per batch, writes its processed
 * marks (INSERT ... ON CONFLICT DO NOTHING keyed by the event UUID) and its offset.
 * Consumers are woken in-process after each publish commit, and poll otherwise. A group whose
 * handler awaits outside work reads smaller batches and handles them concurrently (log-retry.ts).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { errorText } from '../measure.js';
import type { BenchEvent, BenchSystem, BenchTopic, GroupSink, RetryingGroupOptions } from '../system.js';
import { decodeId } from '../workload.js';
import { EffectMarks } from './effect-marks.js';
import { handleLogBatch, logRetryWords } from './log-retry.js';
import { Wake } from './wake.js';

const READ_BATCH = 1_000;
const POLL_MS = 50;

interface LogRow {
  seq: number;
  body: string;
}

class SqliteLogTopic implements BenchTopic {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, string, string]>;
  private readonly insertMany: (events: readonly BenchEvent[]) => void;
  private readonly read: Database.Statement<[number, number], LogRow>;
  private readonly commitBatch: (group: number, ids: string[], seq: number) => void;
  private readonly wake = new Wake();
  private readonly loops: Promise<void>[] = [];
  private readonly effectMarks = new EffectMarks();
  private stopped = false;

  constructor(
    private readonly file: string,
    groups: number,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE log (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE marks (grp INTEGER NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (grp, event_id)) WITHOUT ROWID;
      CREATE TABLE offsets (grp INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
    `);
    const initOffset = this.db.prepare('INSERT INTO offsets (grp, seq) VALUES (?, 0)');
    for (let g = 0; g < groups; g++) initOffset.run(g);
    this.insert = this.db.prepare('INSERT INTO log (id, key, body) VALUES (?, ?, ?)');
    this.insertMany = this.db.transaction((events: readonly BenchEvent[]) => {
      for (const e of events) this.insert.run(e.id, e.key, e.body);
    });
    this.read = this.db.prepare<[number, number], LogRow>('SELECT seq, body FROM log WHERE seq > ? ORDER BY seq LIMIT ?');
    const mark = this.db.prepare<[number, string]>('INSERT INTO marks (grp, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
    const advance = this.db.prepare<[number, number]>('UPDATE offsets SET seq = ? WHERE grp = ?');
    this.commitBatch = this.db.transaction((group: number, ids: string[], seq: number) => {
      for (const id of ids) mark.run(group, id);
      advance.run(seq, group);
    });
  }

  async publishBatch(events: readonly BenchEvent[]): Promise<void> {
    this.insertMany(events);
    this.wake.notify();
  }

  async publishOne(event: BenchEvent): Promise<void> {
    this.insert.run(event.id, event.key, event.body);
    this.wake.notify();
  }

  async startGroup(group: number, sink: GroupSink): Promise<void> {
    const handle = (ids: readonly string[]): number => {
      for (const id of ids) sink.started(id);
      return ids.length;
    };
    this.loops.push(this.consume(group, READ_BATCH, handle, sink));
  }

  async startRetryingGroup(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string> {
    const handle = (ids: readonly string[]): Promise<number> => handleLogBatch(ids, this.effectMarks, work, sink, options);
    this.loops.push(this.consume(group, options.inFlight, handle, sink));
    return logRetryWords(options);
  }

  async effects(): Promise<{ rows: number; distinct: number }> {
    return this.effectMarks.counts();
  }

  /** Reads `limit` rows at a time; `handle` returns how many deliveries to report done once committed. */
  private async consume(group: number, limit: number, handle: (ids: readonly string[]) => number | Promise<number>, sink: GroupSink): Promise<void> {
    let last = 0;
    try {
      while (!this.stopped) {
        const rows = this.read.all(last, limit);
        const tail = rows[rows.length - 1];
        if (!tail) {
          await this.wake.wait(POLL_MS);
          continue;
        }
        const ids = rows.map((row) => decodeId(row.body));
        const handled = await handle(ids);
        if (this.stopped) return;
        this.commitBatch(group, ids, tail.seq);
        last = tail.seq;
        sink.done(handled);
        await yieldToLoop();
      }
    } catch (err) {
      if (!this.stopped) console.error(`  sqlite-log group ${group}: ${errorText(err)}`);
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake.notify();
    await Promise.all(this.loops);
    this.db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(this.file + suffix, { force: true });
  }
}

export class SqliteLogSystem implements BenchSystem {
  readonly name = 'sqlite-log';
  readonly kind = 'peer';
  /** startRetryingGroup retries in the handler (log-retry.ts): not a mechanism of the log, so no flaky run. */
  readonly awaitingGroups = true;
  readonly durability = 'WAL + synchronous=FULL: every commit (a publish batch, a single publish, a mark batch) fsyncs the WAL';
  readonly marks = 'same SQLite file: INSERT ... ON CONFLICT DO NOTHING keyed by event UUID + offset, one tx per read batch';
  private dir: string | undefined;
  private topics = 0;

  async available(): Promise<string | null> {
    try {
      new Database(':memory:').close();
      return null;
    } catch (err) {
      return `better-sqlite3: ${errorText(err)}`;
    }
  }

  async setup(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'factline-bench-sqlite-'));
  }

  async teardown(): Promise<void> {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  async createTopic(groups: number): Promise<BenchTopic> {
    if (!this.dir) throw new Error('setup() was not called');
    return new SqliteLogTopic(join(this.dir, `topic-${++this.topics}.db`), groups);
  }
}
