import { registerSchemaSql } from './migration-schema-registry.js';
import type {
  Assignment, ConsumeTx, Engine, EngineAdmin, Lease, LogRecord, OpenOptions, OpenedLog, ParkedRecord, StartFrom, Tx,
} from '../../core/engine.js';
import type { NewEvent } from '../../core/envelope.js';
import { FactlineError, NotRunningError } from '../../core/errors.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { postgresAdmin } from './admin.js';
import { appendEvents, findStored } from './append.js';
import { txHandle, withClient, type RunMode } from './connection.js';
import { consumeTx } from './consume.js';
import { OwnNotices } from './own-notices.js';
import { ConnectionLostError, connectionFailed, describeTarget, isConnectionError, storeCall, toStoreError } from './errors.js';
import { heartbeat, leave, release } from './leases.js';
import { NotificationListener } from './listener.js';
import { channelOf, checkSchemaName, ensurePartitions, runMigrations } from './migrations.js';
import { createPool } from './pool.js';
import { HandledRecorder } from './record-handled.js';
import { SharedReads } from './shared-reads.js';
import { toEventRecord } from './rows.js';
import { toParked, type EventRow, type ParkedRow } from '../rows.js';
import { statements } from './statements.js';
import type { PgPool, PgPoolClient, PgTx } from './types.js';
import { dueEvent, numbered, processAdmin, processTx, toScheduled, type ProcessTables, type Query } from '../process-sql.js';

export interface PostgresEngineOptions {
  /** e.g. `postgres://user:pass@host:5432/db`; or give `pool`. */
  readonly connectionString?: string;
  /** Your own pool (node-postgres `pg.Pool` or compatible); the engine does not end it on close. */
  readonly pool?: PgPool;
  /** The schema that holds the log's tables (default `factline`); one log per schema. */
  readonly schema?: string;
  /** `auto` (default) migrates the schema on open; `manual` only checks it (run `factline migrate`). */
  readonly migrate?: 'auto' | 'manual';
  /** Connections of the pool the engine creates from `connectionString` (default 20). */
  readonly poolSize?: number;
  readonly clock?: Clock;
}

/** The PostgreSQL engine, with what publishing in your own transaction needs. */
export interface PostgresEngine extends Engine<PgTx> {
  readonly kind: 'postgres';
  readonly schema: string;
  readonly clock: Clock;
  /** The partition count once opened. */
  readonly partitions: number | undefined;
}

/** Pauses between attempts of an append whose connection broke (about 6 s in all, a server restart). */
const APPEND_RETRIES = [100, 200, 400, 800, 1600, 3200];

/**
 * The PostgreSQL engine: the log, positions, inbox, leases and dead letters in one schema of a
 * shared database, for any number of processes on any number of machines. Sequences of a
 * partition are gap-free and commit in order (an append holds its partitions' head rows until
 * commit), so a reader never skips an event. Appends NOTIFY once per append, naming their partitions; consumers are
 * woken by a LISTEN connection and also poll.
 */
export function postgresEngine(options: PostgresEngineOptions = {}): PostgresEngine {
  const schema = checkSchemaName(options.schema ?? 'factline');
  if (!options.pool && !options.connectionString) {
    throw new FactlineError('INVALID_ARGUMENT', 'postgresEngine needs a connectionString (postgres://user@host:5432/db) or a pool');
  }
  const clock = options.clock ?? systemClock;
  const st = statements(schema);
  const target = describeTarget(options.connectionString);
  const listeners = new Set<(partitions?: readonly number[]) => void>();
  let pool: PgPool | undefined;
  let ownPool = false;
  let partitions: number | undefined;
  let listener: NotificationListener | undefined;
  let opening: Promise<OpenedLog> | undefined;
  /** Incremented by close(), so that an open() that finishes after it does not come back to life. */
  let generation = 0;

  const notify = (parts?: readonly number[]) => {
    for (const l of listeners) l(parts);
  };
  /** The appends told at once here, whose notification from the server is then skipped. */
  const ownNotices = new OwnNotices();

  function live(what: string): PgPool {
    if (!pool || partitions === undefined) throw new NotRunningError(what);
    return pool;
  }

  const run = <T>(what: string, mode: RunMode, fn: (c: PgPoolClient) => Promise<T>) => withClient(live(what), what, mode, fn);
  /** `run` for work made only of the engine's own statements: their refusals become StoreErrors. */
  const own = async <T>(what: string, mode: RunMode, fn: (c: PgPoolClient) => Promise<T>) => storeCall(what, run(what, mode, fn));
  const recorder = new HandledRecorder(st, (what, fn) => own(what, 'write', fn), () => clock.now());
  const reads = new SharedReads((partition, after, limit, sending) =>
    own('read', 'read', async (c) => {
      const groups = sending();
      if (groups.length === 0) return { records: ((await c.query(st.read([partition, after, limit]))).rows as EventRow[]).map(toEventRecord), handledBy: [] };
      const rows = (await c.query(st.readHandled([partition, after, limit, groups]))).rows as (EventRow & { handled_by: string[] })[];
      return { records: rows.map(toEventRecord), handledBy: rows.map((r) => r.handled_by) };
    }),
  );

  const appendOn = (c: PgPoolClient, events: readonly NewEvent[]) =>
    appendEvents((config) => c.query(config), st.append, events, partitions!, clock.now());

  const tables: ProcessTables = {
    scheduled: `"${schema}".scheduled`, commands: `"${schema}".commands`, workflows: `"${schema}".workflows`, history: `"${schema}".workflow_history`,
  };
  const texts = new Map<string, string>();
  const queryOn = (c: { query(config: { text: string; values: unknown[] }): Promise<{ rows: unknown[] }> }): Query => async (sql, params) => {
    let text = texts.get(sql);
    if (text === undefined) texts.set(sql, (text = numbered(sql)));
    return (await storeCall('query', c.query({ text, values: [...params] }))).rows as Record<string, unknown>[];
  };

  /**
   * Appends the due scheduled events and deletes them in one transaction; rows another transaction
   * has locked (another process delivering them, or a cancel in flight) are skipped until next time.
   */
  async function deliverDue(now: number, limit: number): Promise<number> {
    const any = await own('deliverDue', 'read', (c) => c.query(`select 1 from ${tables.scheduled} where due_at <= $1 limit 1`, [now]));
    if (any.rows.length === 0) return 0;
    return storeCall('deliverDue', inTransaction('deliverDue', async (c, appended) => {
      // Every partition head first, before any scheduled row: a consume transaction may hold heads
      // (it appended) and then cancel a timer (lock its row). Holding the heads, this transaction
      // waits for nothing else: rows locked by others are skipped, so no lock cycle can form.
      await c.query(`select 1 from "${schema}".partitions order by partition for update`);
      const res = await c.query(
        `delete from ${tables.scheduled} where id in (select id from ${tables.scheduled} where due_at <= $1 order by due_at, id limit $2 for update skip locked) returning *`,
        [now, limit],
      );
      const rows = (res.rows as Record<string, unknown>[]).map(toScheduled).sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1));
      if (rows.length === 0) return 0;
      for (const e of await appendOn(c, rows.map((r) => dueEvent(r, now)))) appended.add(e.partition);
      return rows.length;
    }));
  }

  function txFor(c: PgPoolClient, appended: Set<number>): Tx<PgTx> {
    return {
      ...processTx(queryOn(c), tables, () => clock.now()),
      db: txHandle(c),
      append: async (events) => {
        const out = await appendOn(c, events);
        for (const e of out) appended.add(e.partition);
        return out;
      },
    };
  }

  async function inTransaction<T>(what: string, fn: (c: PgPoolClient, appended: Set<number>) => Promise<T>): Promise<T> {
    const appended = new Set<number>();
    const result = await run(what, 'transaction', (c) => fn(c, appended));
    if (appended.size > 0) notify([...appended]);
    return result;
  }

  async function openLog(opts: OpenOptions): Promise<OpenedLog> {
    const started = generation;
    const p = options.pool ?? (await createPool(options.connectionString!, options.poolSize ?? 20));
    ownPool = !options.pool;
    let c: PgPoolClient;
    try {
      c = await p.connect();
    } catch (err) {
      if (ownPool) await p.end().catch(() => undefined);
      throw connectionFailed(target, err);
    }
    try {
      await runMigrations(c, schema, (options.migrate ?? 'auto') === 'auto');
      partitions = await ensurePartitions(c, schema, opts.partitions);
    } catch (err) {
      c.release(isConnectionError(err) ? (err as Error) : undefined);
      if (ownPool) await p.end().catch(() => undefined);
      throw isConnectionError(err) ? connectionFailed(target, err) : toStoreError(`open (migrating and checking schema ${schema})`, err);
    }
    c.release();
    if (started !== generation) {
      if (ownPool) await p.end().catch(() => undefined);
      throw new NotRunningError('open (the engine was closed while opening)');
    }
    pool = p;
    listener = new NotificationListener(p, channelOf(schema), notify, () => undefined, (pid) => ownNotices.arrived(pid));
    await listener.start();
    return { partitions };
  }

  const engine: PostgresEngine = {
    kind: 'postgres',
    schema,
    clock,
    get partitions() {
      return partitions;
    },

    open(opts: OpenOptions): Promise<OpenedLog> {
      opening ??= openLog(opts).catch((err: unknown) => {
        opening = undefined;
        throw err;
      });
      return opening;
    },

    async close() {
      generation++;
      const p = pool;
      const l = listener;
      pool = undefined;
      listener = undefined;
      partitions = undefined;
      opening = undefined;
      await l?.close();
      if (p && ownPool) await p.end().catch(() => undefined);
    },

    transaction: (fn) => inTransaction('transaction', (c, appended) => fn(txFor(c, appended))),

    async append(events) {
      if (events.length === 0) return [];
      // Set when an attempt broke after its statement reached the server: before appending again,
      // look whether it committed (the statement is atomic: all of its events are there, or none).
      let unsure: ConnectionLostError | undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          if (unsure) {
            const committed = await own('append (checking a broken attempt)', 'read', (c) => findStored(c, st, events));
            if (committed) return committed;
            unsure = undefined;
          }
          // One statement, so it runs as its own transaction: no BEGIN and COMMIT round trips.
          const stored = await run('append', 'write', (c) => ownNotices.expect(c, () => appendOn(c, events)));
          notify([...new Set(stored.map((e) => e.partition))]);
          return stored;
        } catch (err) {
          if (!(err instanceof ConnectionLostError)) throw err;
          if (err.mayHaveCommitted) unsure ??= err;
          if (attempt >= APPEND_RETRIES.length || !pool) throw unsure ?? err;
          await new Promise((resolve) => setTimeout(resolve, APPEND_RETRIES[attempt]));
        }
      }
    },

    watch(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },

    heartbeat: (group, member, ttlMs): Promise<Assignment> =>
      own('heartbeat', 'transaction', (c) => heartbeat(c, schema, group, member, ttlMs, partitions!, clock.now())),

    release: (group, member, parts) => own('release', 'transaction', (c) => release(c, schema, group, member, parts)),

    leave: (group, member) => own('leave', 'transaction', (c) => leave(c, schema, group, member)),

    position: (group: string, partition: number, start: StartFrom) =>
      own('position', 'write', async (c) => {
        const res = await c.query(st.position([group, partition, start === 'now']));
        const row = res.rows[0] as { position: string } | undefined;
        if (!row) throw new FactlineError('INVALID_ARGUMENT', `partition ${partition} does not exist in this log`);
        return Number(row.position);
      }),

    read: (partition, after, limit): Promise<LogRecord[]> => reads.read(partition, after, limit),
    readHandled: (group, partition, after, limit) => reads.readHandled(group, partition, after, limit),

    parked: (group, partition): Promise<ParkedRecord[]> =>
      own('parked', 'read', async (c) => ((await c.query(st.parked([group, partition]))).rows as ParkedRow[]).map(toParked)),

    consume: <T>(lease: Lease, fn: (tx: ConsumeTx<PgTx>) => Promise<T>) =>
      inTransaction('consume', async (c, appended) => {
        const { tx, finish } = consumeTx(c, st, lease, () => clock.now(), txFor(c, appended));
        const result = await fn(tx);
        await finish();
        return result;
      }),

    recordHandled: (lease, position, handled) => recorder.record(lease, position, handled),

    async check() {
      await own('check', 'read', (c) => c.query(`select count(*) from "${schema}".partitions`));
    },

    async pruneInbox(beforeMs) {
      let total = 0;
      for (;;) {
        const n = await own('pruneInbox', 'write', async (c) => (await c.query(st.pruneInbox([beforeMs]))).rowCount ?? 0);
        total += n;
        if (n < 5000) return total;
      }
    },

    async handled(group, events) {
      const out = new Set<string>();
      if (events.length === 0) return out;
      const res = await own('handled', 'read', (c) => c.query(st.handled([group, events.map((e) => e.id), events.map((e) => e.source)])));
      for (const row of res.rows as { id: string; source: string }[]) out.add(`${row.source}\u0000${row.id}`);
      return out;
    },

    markStart: (lease, position) =>
      own('markStart', 'write', async (c) => ((await c.query(st.markStart([lease.group, lease.partition, position]))).rows[0] as { starts: number }).starts),

    deliverDue,
    registerSchema: (record, producer) =>
      own('registerSchema', 'transaction', async (c) => {
        const sql = registerSchemaSql(schema);
        const r = record;
        await c.query(sql.insert, [r.type, r.version, r.fingerprint, r.schema, r.compatibility, r.registeredBy, r.registeredAt]);
        if (producer !== undefined) await c.query(sql.producer, [r.type, r.version, producer, clock.now()]);
        return ((await c.query(sql.stored, [r.type, r.version])).rows[0] as { fingerprint: string }).fingerprint;
      }),

    declareHandlers: (group, member, handlers) =>
      own('declareHandlers', 'transaction', async (c) => {
        const now = clock.now();
        for (const h of handlers) await c.query(st.declareHandler([group, h.type, h.version, h.kind, member, now]));
      }),

    get admin(): EngineAdmin {
      const base = postgresAdmin((what, tx, fn) => own(what, tx ? 'transaction' : 'read', fn), schema, () => partitions ?? 0, clock);
      return { ...base, ...processAdmin((sql, params) => own('admin', 'read', (c) => queryOn(c)(sql, params)), tables) };
    },
  };

  return engine;
}

