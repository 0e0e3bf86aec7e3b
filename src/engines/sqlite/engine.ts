import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Assignment, ConsumeTx, Engine, EngineAdmin, Lease, LogRecord, OpenOptions, OpenedLog, ParkedRecord, StartFrom, Tx } from '../../core/engine.js';
import { bodyWithSequence, formatSequence, type NewEvent, type StoredEvent } from '../../core/envelope.js';
import { FactlineError, NotRunningError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { Lock } from './lock.js';
import { guardedDb } from './guarded-db.js';
import { FileSignal } from './file-watch.js';
import { FileIdentity } from './file-identity.js';
import { checkFile } from './store-check.js';
import { openConnection } from './connection.js';
import { openError, own as ownOn } from './errors.js';
import { ensureSchema } from './schema.js';
import { beginWrite, WRITER_BUSY_MS } from './begin-write.js';
import { WriteGroups } from './write-group.js';
import { prepareReads, prepareWrites, type WriteStatements } from './statements.js';
import { consumeTx } from './consume-tx.js';
import { toParked, type ParkedRow } from '../rows.js';
import { heartbeat, leave, release } from './leases.js';
import { sqliteAdmin } from './admin.js';
import { dueEvent, processAdmin, processTx, toScheduled } from '../process-sql.js';
import { SQLITE_PROCESS_TABLES, sqliteQuery, sqliteRows } from './process-tables.js';
import { TransactionEndedError } from '../../core/errors.js';
import { registerSchemaIn } from './schema-registry.js';

/**
 * One lock per database file per process: every engine instance on the same file in this process
 * takes turns, so a transaction held across an await never makes another connection of this
 * process wait synchronously for SQLite's file lock (which would block the event loop).
 */
const files = new Map<string, { lock: Lock; signal: FileSignal; heads: Set<() => number | undefined> }>();

/** The lock and new-event signal shared by the engines of this process on `file`. */
function shared(file: string) {
  const key = resolve(file);
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

/** What a write transaction appended: the partitions, and how many events in all. */
interface Appended {
  readonly partitions: Set<number>;
  events: number;
}

export interface SqliteEngineOptions {
  /**
   * Path of the database file; it may also hold the app's own tables. Its directory must exist.
   * `':memory:'` gives a private log for tests: one process, gone when the engine closes (it is
   * kept in a temporary file of its own, under /dev/shm where there is one).
   */
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

/**
 * The embedded engine: one SQLite file in WAL mode, shared by any number of processes on one
 * machine. In a process, all writes (opening included) go through one connection, one transaction
 * at a time, under the file's process-wide lock; reads use a second connection and see only
 * committed data. Errors of the engine's own statements are StoreErrors (errors.ts); errors of
 * user code in a transaction propagate as they are. Every write transaction checks, before it
 * commits, that the file at the path is still the one opened (STORE_GONE otherwise).
 */
export function sqliteEngine(options: SqliteEngineOptions): Engine<SqliteDb> & { readonly file: string } {
  const clock = options.clock ?? systemClock;
  if (typeof options.file !== 'string' || options.file.trim() === '') {
    throw new FactlineError('INVALID_ARGUMENT', `sqliteEngine needs a file: the path of the log (its directory must exist), or ':memory:' for a private log that lives as long as the engine; got ${JSON.stringify(options.file)}`);
  }
  const memory = options.file === ':memory:' ? join(memoryBase(), `factline-memory-${process.pid}-${randomUUID()}`) : undefined;
  const path = memory === undefined ? options.file : join(memory, 'log.db');
  const file = shared(path);
  const lock = file.lock;
  let writer: Database.Database | undefined;
  let reader: Database.Database | undefined;
  let w: WriteStatements | undefined;
  let r: ReturnType<typeof prepareReads> | undefined;
  let identity: FileIdentity | undefined;
  let partitions = 0;

  const own = <T>(what: string, fn: () => T): T => ownOn(path, what, fn);

  function live(what: string) {
    if (!writer || !w || !r || !reader || !identity) throw new NotRunningError(what);
    return { db: writer, w, r, reader, identity };
  }

  /** A read on the reader connection: committed data only, driver errors as StoreErrors. */
  const read = async <T>(what: string, fn: (rs: ReturnType<typeof prepareReads>, db: Database.Database) => T): Promise<T> => {
    const l = live(what);
    return own(what, () => fn(l.r, l.reader));
  };

  /** A number that changes whenever events are stored (the sum of the heads; undefined when closed). */
  let headSum: Database.Statement | undefined;
  const newestPosition = (): number | undefined => {
    if (!reader) return undefined;
    headSum ??= reader.prepare('select sum(head) as p from factline_partitions');
    return (headSum.get() as { p: number | null }).p ?? 0;
  };

  function appendIn(ws: WriteStatements, events: readonly NewEvent[], touched: Appended): StoredEvent[] {
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
      const body = bodyWithSequence(e.json ?? JSON.stringify(env), sequenceText);
      ws.insertEvent.run(e.partition, sequence, env.id, env.source, env.type, env.partitionkey, now, body, env.correlationid ?? null, env.subject ?? null);
      stored.push({ partition: e.partition, sequence, envelope: Object.assign(env, { sequence: sequenceText }) });
    }
    for (const [p, head] of heads) {
      ws.setHead.run(head, p);
      touched.partitions.add(p);
    }
    touched.events += events.length;
    return stored;
  }

  const groups = new WriteGroups(lock, {
    db: (what) => live(what).db,
    begin: (db, what) => beginWrite(db, options.busyTimeoutMs ?? 10_000, (err) => own(what, () => { throw err; })),
    commit: (db, what) => {
      live(what).identity.check(path, what);
      own(what, () => db.exec('COMMIT'));
    },
    rollback,
    own,
  });

  /**
   * Runs fn in a write transaction of the writer, under the process lock, committed with the
   * transactions of this engine that wait beside it (write-group.ts); rolls back fn's writes when
   * fn throws, and everything when the file is gone or COMMIT fails. Errors of BEGIN and COMMIT
   * are StoreErrors; errors of fn propagate as they are (fn wraps the engine's own statements).
   */
  function inTransaction<T>(what: string, fn: (db: Database.Database, ws: WriteStatements, appended: Appended, state: { live: boolean }) => Promise<T>, urgent = false): Promise<T> {
    return groups.run(what, async (db) => {
      const ws = live(what).w;
      const appended: Appended = { partitions: new Set(), events: 0 };
      const state = { live: true };
      try {
        const result = await fn(guardedDb(db, state, what), ws, appended, state);
        const committed = appended.events > 0 ? () => file.signal.notify([...appended.partitions], appended.events) : undefined;
        return { result, committed };
      } finally {
        state.live = false;
      }
    }, urgent);
  }

  /** A write transaction whose body is all the engine's own statements. */
  const ownTransaction = <T>(what: string, fn: (db: Database.Database, ws: WriteStatements) => T, urgent = false): Promise<T> =>
    inTransaction(what, async (db, ws) => own(what, () => fn(db, ws)), urgent);

  function txFor(db: Database.Database, ws: WriteStatements, appended: Appended, state: { live: boolean }): Tx<SqliteDb> {
    const raw = sqliteQuery(live('transaction').db, own);
    const query: typeof raw = (sql, params) => {
      if (!state.live) return Promise.reject(new TransactionEndedError('a scheduling, command or workflow write ran after its transaction had ended; it did not run'));
      return raw(sql, params);
    };
    return {
      db,
      append: async (events) => own('append', () => appendIn(ws, events, appended)),
      ...processTx(query, SQLITE_PROCESS_TABLES, () => clock.now()),
      registerSchema: async (record, producer) => own('registerSchema', () => registerSchemaIn(db, record, producer, clock.now())),
    };
  }

  /** Appends the due scheduled events, oldest first, and deletes them, in one write transaction. */
  async function deliverDue(now: number, limit: number): Promise<number> {
    // A read first: no write lock is taken while nothing is due.
    const next = await read('deliverDue', (_rs, db) => (db.prepare(`select min(due_at) as d from ${SQLITE_PROCESS_TABLES.scheduled}`).get() as { d: number | null }).d);
    if (next === null || next > now) return 0;
    return inTransaction('deliverDue', async (db, ws, appended) =>
      own('deliverDue', () => {
        const rows = (db.prepare(`select * from ${SQLITE_PROCESS_TABLES.scheduled} where due_at <= ? order by due_at, id limit ?`).all(now, limit) as Record<string, unknown>[]).map(toScheduled);
        if (rows.length === 0) return 0;
        const remove = db.prepare(`delete from ${SQLITE_PROCESS_TABLES.scheduled} where id = ?`);
        for (const r of rows) remove.run(r.id);
        appendIn(ws, rows.map((r) => dueEvent(r, now)), appended);
        return rows.length;
      }),
    );
  }

  function closeConnections() {
    file.heads.delete(newestPosition);
    reader?.close();
    writer?.close();
    reader = writer = undefined;
    headSum = undefined;
    w = undefined;
    r = undefined;
    identity = undefined;
  }

  const engine: Engine<SqliteDb> & { readonly file: string } = {
    kind: 'sqlite',
    file: options.file,

    // Under the lock like every write: creating or checking the tables never waits synchronously
    // for a write lock that a transaction of this process holds across an await.
    open: (opts: OpenOptions): Promise<OpenedLog> =>
      lock.run(async () => {
        if (writer) return { partitions };
        if (memory !== undefined) mkdirSync(memory, { recursive: true, mode: 0o700 });
        const db = openConnection(path, options);
        try {
          partitions = ensureSchema(db, path, opts.partitions);
          identity = FileIdentity.of(path);
          writer = db;
          // Waiting for another process's write lock happens in beginWrite, without blocking the
          // event loop: SQLite's own busy wait would sleep inside the synchronous call.
          writer.pragma(`busy_timeout = ${WRITER_BUSY_MS}`);
          reader = openConnection(path, options);
          w = prepareWrites(writer);
          r = prepareReads(reader);
        } catch (err) {
          if (writer !== db) db.close();
          closeConnections();
          throw openError(err, path);
        }
        file.heads.add(newestPosition);
        return { partitions };
      }),

    close: () =>
      lock.run(async () => {
        closeConnections();
        if (memory !== undefined) {
          rmSync(memory, { recursive: true, force: true });
          files.delete(resolve(path));
        }
      }),

    transaction: (fn) => inTransaction('transaction', (db, ws, appended, state) => fn(txFor(db, ws, appended, state))),

    append: (events) => inTransaction('append', async (_db, ws, appended) => own('append', () => appendIn(ws, events, appended))),

    watch(listener) {
      return file.signal.subscribe(listener);
    },

    heartbeat: (group, member, ttlMs): Promise<Assignment> =>
      // Urgent: ahead of queued consumer transactions, so that a busy process keeps its leases.
      ownTransaction('heartbeat', (db) => heartbeat(db, group, member, ttlMs, partitions, clock.now()), true),

    release: (group, member, parts) => ownTransaction('release', (db) => release(db, group, member, parts)),

    leave: (group, member) => ownTransaction('leave', (db) => leave(db, group, member)),

    async position(group: string, partition: number, start: StartFrom) {
      // Reading needs no write lock; a group starting from the beginning stores its position with
      // its first batch. A group starting from now stores the head at once, so that a restart
      // before its first batch does not skip what was published meanwhile.
      const stored = await read('position', (rs) => rs.position.get(group, partition));
      if (stored) return stored.position;
      if (start === 'beginning') return 0;
      return ownTransaction('position', (_db, ws) => {
        const row = ws.getPosition.get(group, partition);
        if (row) return row.position;
        const initial = ws.head.get(partition)!.head;
        ws.setPosition.run(group, partition, initial);
        return initial;
      });
    },

    read: (partition, after, limit): Promise<LogRecord[]> =>
      read('read', (rs) => {
        // Rows as arrays (cheaper to fetch), made into records of one shape.
        const rows = rs.read.all(partition, after, limit) as [number, number, string, string, string, string, string][];
        const out: LogRecord[] = new Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          out[i] = { partition: row[0], sequence: row[1], id: row[2], source: row[3], type: row[4], key: row[5], body: row[6] };
        }
        return out;
      }),

    parked: (group, partition): Promise<ParkedRecord[]> => read('parked', (rs) => (rs.parked.all(group, partition) as ParkedRow[]).map(toParked)),

    consume: <T>(lease: Lease, fn: (tx: ConsumeTx<SqliteDb>) => Promise<T>) =>
      inTransaction('consume', async (db, ws, appended, state) => fn(consumeTx(txFor(db, ws, appended, state), ws, lease, () => clock.now(), own))),

    // One read transaction on the reader: the answer is one committed state of the inbox.
    handled: (group, events) =>
      read('handled', (rs, db) =>
        db.transaction(() => {
          const out = new Set<string>();
          for (const e of events) if (rs.inbox.get(group, e.id, e.source)) out.add(`${e.source}\u0000${e.id}`);
          return out;
        })(),
      ),

    markStart: (lease, position) => ownTransaction('markStart', (_db, ws) => ws.markStart.get(lease.group, lease.partition, position)!.starts),

    deliverDue,
    declareHandlers: (group, member, handlers) =>
      ownTransaction('declareHandlers', (_db, ws) => {
        const now = clock.now();
        for (const h of handlers) ws.declareHandler.run(group, h.type, h.version, h.kind, member, now, now);
      }),

    async check() {
      const l = live('check');
      checkFile(path, options.file, l.identity);
      await read('check', (_rs, db) => db.prepare('select count(*) as n from factline_partitions').get());
    },

    registerSchema: (record, producer) => ownTransaction('registerSchema', (db) => registerSchemaIn(db, record, producer, clock.now())),

    async pruneInbox(beforeMs) {
      let total = 0;
      for (;;) {
        const n = await ownTransaction('pruneInbox', (_db, ws) => ws.pruneInbox.run(beforeMs).changes);
        total += n;
        if (n < 5000) return total;
      }
    },

    get admin(): EngineAdmin {
      const base = sqliteAdmin(
        {
          read: (what, fn) => read(what, (_rs, db) => fn(db)),
          write: (what, fn) => ownTransaction(what, (db) => fn(db)),
        },
        partitions,
        clock,
      );
      return { ...base, ...processAdmin((sql, params) => read('admin', (_rs, db) => sqliteRows(db, sql, params)), SQLITE_PROCESS_TABLES) };
    },
  };
  return engine;
}

/** Where `':memory:'` logs are kept: /dev/shm (memory) when this system has a writable one, else the temporary directory. */
function memoryBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Ends the writer's transaction if one is open; a failing ROLLBACK leaves the first error to report. */
function rollback(db: Database.Database): void {
  try {
    if (db.inTransaction) db.exec('ROLLBACK');
  } catch {
    // The transaction is gone with the failure (SQLite rolled it back itself), or the connection is.
  }
}
