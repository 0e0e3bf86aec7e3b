import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type {
  Assignment, BatchCommit, ConsumeTx, Engine, EngineAdmin, Lease, LogRecord, OpenOptions, OpenedLog, ParkedRecord, StartFrom, Tx,
} from '../../core/engine.js';
import { bodyWithSequence, formatSequence, type NewEvent, type StoredEvent } from '../../core/envelope.js';
import { FactlineError, LeaseLostError, NotRunningError, StoreMismatchError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { Lock } from './lock.js';
import { guardedDb } from './guarded-db.js';
import { FileSignal } from './file-watch.js';
import { ensureSchema } from './schema.js';
import { prepareReads, prepareWrites, type WriteStatements } from './statements.js';
import { deadLetterParams, parkedParams } from './rows.js';
import { toParked, type ParkedRow } from '../rows.js';
import { heartbeat, leave, release } from './leases.js';
import { sqliteAdmin } from './admin.js';

/**
 * One lock per database file per process: every engine instance on the same file in this process
 * takes turns, so a transaction held across an await never makes another connection of this
 * process wait synchronously for SQLite's file lock (which would block the event loop).
 */
const files = new Map<string, { lock: Lock; signal: FileSignal; heads: Set<() => number | undefined> }>();

/** The lock and new-event signal shared by the engines of this process on `file`. */
function shared(file: string) {
  const key = file === ':memory:' ? `${file}:${Math.random()}` : resolve(file);
  let entry = files.get(key);
  if (!entry) {
    const heads = new Set<() => number | undefined>();
    const head = () => {
      for (const h of heads) {
        const value = h();
        if (value !== undefined) return value;
      }
      return undefined;
    };
    entry = { lock: new Lock(), signal: new FileSignal(`${key}-wal`, head), heads };
    files.set(key, entry);
  }
  return entry;
}

export interface SqliteEngineOptions {
  /** Path of the database file; it may also hold the app's own tables. */
  readonly file: string;
  /**
   * `full` (default): every commit is fsync'd before publish() resolves; nothing acknowledged is
   * lost on power failure. `normal`: WAL commits are fsync'd at checkpoints only; a power failure
   * may lose the last commits, a process crash loses nothing.
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a write waits for another process's write lock, in ms (default 10,000). */
  readonly busyTimeoutMs?: number;
  readonly clock?: Clock;
}

/** The SQLite connection handle handlers and transactions get as `db`. */
export type SqliteDb = Database.Database;

function openConnection(file: string, options: SqliteEngineOptions): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
  } catch (err) {
    db.close();
    throw new StoreMismatchError(`${file} is not a SQLite database Factline can open: ${(err as Error).message}`);
  }
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  db.pragma('cache_size = -16384'); // 16 MiB of pages per connection
  return db;
}

/**
 * The embedded engine: one SQLite file in WAL mode, shared by any number of processes on one
 * machine. In a process, all writes go through one connection, one transaction at a time; reads
 * use a second connection and see only committed data.
 */
export function sqliteEngine(options: SqliteEngineOptions): Engine<SqliteDb> & { readonly file: string } {
  const clock = options.clock ?? systemClock;
  const file = shared(options.file);
  const lock = file.lock;
  let writer: Database.Database | undefined;
  let reader: Database.Database | undefined;
  let w: WriteStatements | undefined;
  let r: ReturnType<typeof prepareReads> | undefined;
  let partitions = 0;

  function live(what: string) {
    if (!writer || !w || !r || !reader) throw new NotRunningError(what);
    return { db: writer, w, r, reader };
  }

  function notify(partitions: ReadonlySet<number>) {
    file.signal.notify([...partitions]);
  }

  /** A number that changes whenever events are stored (the sum of the heads; undefined when closed). */
  const newestPosition = (): number | undefined =>
    reader ? (reader.prepare('select sum(head) as p from factline_partitions').get() as { p: number | null }).p ?? 0 : undefined;

  function appendIn(ws: WriteStatements, events: readonly NewEvent[], touched: Set<number>): StoredEvent[] {
    const heads = new Map<number, number>();
    const now = clock.now();
    const stored: StoredEvent[] = [];
    for (const e of events) {
      if (e.partition < 0 || e.partition >= partitions) {
        throw new FactlineError('INVALID_ARGUMENT', `partition ${e.partition} is outside 0..${partitions - 1}`);
      }
      let head = heads.get(e.partition);
      if (head === undefined) head = ws.head.get(e.partition)!.head;
      const sequence = head + 1;
      heads.set(e.partition, sequence);
      const sequenceText = formatSequence(sequence);
      const env = e.envelope;
      // The envelope's JSON with `sequence` appended: no copy of the envelope object.
      const body = bodyWithSequence(JSON.stringify(env), sequenceText);
      ws.insertEvent.run(e.partition, sequence, env.id, env.source, env.type, env.partitionkey, now, body);
      stored.push({ partition: e.partition, sequence, envelope: Object.assign(env, { sequence: sequenceText }) });
    }
    for (const [p, head] of heads) {
      ws.setHead.run(head, p);
      touched.add(p);
    }
    return stored;
  }

  /** Runs fn between BEGIN IMMEDIATE and COMMIT on the writer, under the process lock. */
  async function inTransaction<T>(what: string, fn: (db: Database.Database, ws: WriteStatements, appended: Set<number>) => Promise<T>): Promise<T> {
    return lock.run(async () => {
      const { db, w: ws } = live(what);
      const appended = new Set<number>();
      const state = { live: true };
      db.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await fn(guardedDb(db, state), ws, appended);
      } catch (err) {
        state.live = false;
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
      state.live = false;
      if (!db.inTransaction) {
        throw new FactlineError('TRANSACTION_ENDED', `${what}: the transaction was ended by user code (COMMIT or ROLLBACK on tx.db); let Factline end it`);
      }
      db.exec('COMMIT');
      if (appended.size > 0) notify(appended);
      return result;
    });
  }

  function txFor(db: Database.Database, ws: WriteStatements, appended: Set<number>): Tx<SqliteDb> {
    return {
      db,
      append: async (events) => appendIn(ws, events, appended),
    };
  }

  const engine: Engine<SqliteDb> & { readonly file: string } = {
    kind: 'sqlite',
    file: options.file,

    async open(opts: OpenOptions): Promise<OpenedLog> {
      if (writer) return { partitions };
      const db = openConnection(options.file, options);
      try {
        partitions = ensureSchema(db, options.file, opts.partitions);
      } catch (err) {
        db.close();
        if (err instanceof FactlineError) throw err;
        throw new StoreMismatchError(`${options.file} cannot be used as a Factline log: ${(err as Error).message}`);
      }
      writer = db;
      reader = openConnection(options.file, options);
      file.heads.add(newestPosition);
      w = prepareWrites(writer);
      r = prepareReads(reader);
      return { partitions };
    },

    async close() {
      await lock.run(async () => {
        file.heads.delete(newestPosition);
        reader?.close();
        writer?.close();
        reader = writer = undefined;
        w = undefined;
        r = undefined;
      });
    },

    transaction: (fn) => inTransaction('transaction', (db, ws, appended) => fn(txFor(db, ws, appended))),

    append: (events) => inTransaction('append', async (_db, ws, appended) => appendIn(ws, events, appended)),

    watch(listener) {
      return file.signal.subscribe(listener);
    },

    heartbeat: (group, member, ttlMs): Promise<Assignment> =>
      inTransaction('heartbeat', async (db) => heartbeat(db, group, member, ttlMs, partitions, clock.now())),

    release: (group, member, parts) => inTransaction('release', async (db) => release(db, group, member, parts)),

    leave: (group, member) => inTransaction('leave', async (db) => leave(db, group, member)),

    async position(group: string, partition: number, start: StartFrom) {
      // Reading needs no write lock; a group starting from the beginning stores its position with
      // its first batch. A group starting from now stores the head at once, so that a restart
      // before its first batch does not skip what was published meanwhile.
      const stored = live('position').reader.prepare('select position from factline_positions where grp = ? and partition = ?').get(group, partition) as
        | { position: number }
        | undefined;
      if (stored) return stored.position;
      if (start === 'beginning') return 0;
      return inTransaction('position', async (_db, ws) => {
        const row = ws.getPosition.get(group, partition);
        if (row) return row.position;
        const initial = start === 'now' ? ws.head.get(partition)!.head : 0;
        ws.setPosition.run(group, partition, initial);
        return initial;
      });
    },

    async read(partition, after, limit): Promise<LogRecord[]> {
      const { r: rs } = live('read');
      // Rows as arrays (cheaper to fetch), made into records of one shape.
      const rows = rs.read.all(partition, after, limit) as [number, number, string, string, string, string, string][];
      const out: LogRecord[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        out[i] = { partition: row[0], sequence: row[1], id: row[2], source: row[3], type: row[4], key: row[5], body: row[6] };
      }
      return out;
    },

    async parked(group, partition): Promise<ParkedRecord[]> {
      const { r: rs } = live('parked');
      return (rs.parked.all(group, partition) as ParkedRow[]).map(toParked);
    },

    consume: <T>(lease: Lease, fn: (tx: ConsumeTx<SqliteDb>) => Promise<T>) =>
      inTransaction('consume', async (db, ws, appended) => {
        const claimed = new Map<string, { source: string; id: string }>();
        const tx: ConsumeTx<SqliteDb> = {
          ...txFor(db, ws, appended),
          // The inbox rows are written here, as the events are looked up (one statement per event
          // instead of a lookup now and an insert at commit); commit() removes the rows of events
          // that did not end up handled, so what commits is exactly `handled`.
          async seen(events) {
            const out = new Set<string>();
            const now = clock.now();
            for (const e of events) {
              const identity = `${e.source}\u0000${e.id}`;
              if (ws.insertInbox.run(lease.group, e.id, e.source, now).changes === 0) out.add(identity);
              else claimed.set(identity, e);
            }
            return out;
          },
          async openDeadLetters() {
            return ws.openDeadLetters.get(lease.group)!.n;
          },
          async commit(c: BatchCommit) {
            const owner = ws.leaseOwner.get(lease.group, lease.partition);
            if (owner?.member !== lease.member) throw new LeaseLostError(lease.group, lease.partition);
            commitChanges(ws, lease, c, clock.now(), claimed);
          },
        };
        return fn(tx);
      }),

    async pruneInbox(beforeMs) {
      let total = 0;
      for (;;) {
        const n = await inTransaction('pruneInbox', async (_db, ws) => ws.pruneInbox.run(beforeMs).changes);
        total += n;
        if (n < 5000) return total;
      }
    },

    get admin(): EngineAdmin {
      return sqliteAdmin(() => live('admin'), lock, partitions, clock);
    },
  };
  return engine;
}

function commitChanges(ws: WriteStatements, lease: Lease, c: BatchCommit, now: number, claimed: Map<string, { source: string; id: string }>) {
  for (const h of c.handled ?? []) {
    if (!claimed.delete(`${h.source}\u0000${h.id}`)) ws.insertInbox.run(lease.group, h.id, h.source, now);
  }
  for (const e of claimed.values()) ws.deleteInbox.run(lease.group, e.id, e.source);
  claimed.clear();
  for (const p of c.park ?? []) ws.upsertParked.run(...parkedParams(p));
  for (const seq of c.unpark ?? []) ws.deleteParked.run(lease.group, lease.partition, seq);
  for (const d of c.deadLetters ?? []) ws.insertDeadLetter.run(...deadLetterParams(d));
  if (c.position !== undefined) ws.setPosition.run(lease.group, lease.partition, c.position);
}
