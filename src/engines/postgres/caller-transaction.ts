import type { Envelope, NewEvent, StoredEvent } from '../../core/envelope.js';
import { validateData } from '../../core/event.js';
import { FactlineError } from '../../core/errors.js';
import type { PublishEntry } from '../../app.js';
import { buildEnvelope } from '../../publish/build-envelope.js';
import { appendEvents } from './append.js';
import { checkSchemaName, readPartitions } from './migrations.js';
import { statements } from './statements.js';
import type { PostgresEngine } from './engine.js';
import { SchemaRegistry } from '../../schema/registry.js';
import { jsonLogger } from '../../observe/logger.js';

/** One schema registry per engine and source, so that each definition registers once. */
const registries = new WeakMap<object, Map<string, SchemaRegistry>>();

function registryOf(engine: PostgresEngine, source: string): SchemaRegistry {
  let bySource = registries.get(engine);
  if (!bySource) registries.set(engine, (bySource = new Map()));
  let registry = bySource.get(source);
  if (!registry) bySource.set(source, (registry = new SchemaRegistry(engine, source, () => engine.clock.now(), jsonLogger())));
  return registry;
}

/**
 * Runs SQL in the caller's open transaction. A node-postgres client inside BEGIN, a Kysely or a
 * Drizzle transaction all fit through `fromPg`, `fromKysely`, `fromDrizzle`; any other driver
 * fits with a one-line function. Factline never begins, commits or rolls back through it.
 */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A node-postgres client (`pg.PoolClient`, `pg.Client`) or anything with its `query`. */
export interface PgLikeClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of a Kysely transaction the adapter uses (`Transaction<DB>` from `db.transaction().execute(trx => ...)`). */
export interface KyselyLike {
  executeQuery(query: RawCompiledQuery): Promise<{ rows: unknown[] }>;
}

/** The shape of Kysely's `CompiledQuery.raw(sql, parameters)`. */
export interface RawCompiledQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly query: { readonly kind: 'RawNode'; readonly sqlFragments: readonly string[]; readonly parameters: readonly never[] };
  readonly queryId: { readonly queryId: string };
}

/** The part of a Drizzle transaction the adapter uses (node-postgres driver, `db.transaction(async (tx) => ...)`). */
export interface DrizzleLike {
  /**
   * Drizzle's `execute(query: SQLWrapper)`. Its SQL type is a class that no structural type
   * matches, so the parameter is typed `never`; the adapter passes an object with `getSQL()`
   * whose `toQuery()` gives Drizzle the statement and its parameters unchanged.
   */
  execute(query: never): PromiseLike<unknown>;
}

export function fromPg(client: PgLikeClient): SqlExecutor {
  return { executeSql: (text, values) => client.query(text, values) };
}

/** Runs raw SQL through `trx.executeQuery`, as Kysely's `CompiledQuery.raw` would. */
export function fromKysely(trx: KyselyLike): SqlExecutor {
  return {
    executeSql: (text, values = []) =>
      trx.executeQuery({
        sql: text,
        parameters: values,
        query: { kind: 'RawNode', sqlFragments: [text], parameters: [] },
        queryId: { queryId: `factline-${Math.random().toString(36).slice(2)}` },
      }),
  };
}

/** Runs raw SQL through `tx.execute` with an object Drizzle turns into `{ sql, params }` as is. */
export function fromDrizzle(tx: DrizzleLike): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      const query = { sql: text, params: values };
      const result = await tx.execute({ getSQL: () => ({ toQuery: () => query, shouldInlineParams: false }) } as never);
      const rows = (result as { rows?: unknown[] }).rows ?? (Array.isArray(result) ? (result as unknown[]) : []);
      return { rows };
    },
  };
}

function toExecutor(target: SqlExecutor | PgLikeClient): SqlExecutor {
  if (typeof (target as SqlExecutor).executeSql === 'function') return target as SqlExecutor;
  if (typeof (target as PgLikeClient).query === 'function') return fromPg(target as PgLikeClient);
  throw new FactlineError('INVALID_ARGUMENT', 'expected a transaction: a pg client inside BEGIN, or fromKysely(trx) / fromDrizzle(tx) / { executeSql(text, values) }');
}

/** Where to append: the schema and partition count of a Factline log in that database. */
export interface LogLocation {
  readonly schema: string;
  /** Read from the schema when not given. */
  readonly partitions?: number;
  readonly now?: () => number;
}

/** The given partition count, or the one stored in the schema (one small query). */
async function partitionsOf(ex: SqlExecutor, schema: string, given?: number): Promise<number> {
  if (given !== undefined) return given;
  const stored = await readPartitions({ query: (text) => ex.executeSql(text) }, schema);
  if (stored === undefined) {
    throw new FactlineError('NOT_RUNNING', `schema ${schema} holds no Factline log yet; start the app (or open the engine) once to create it`);
  }
  return stored;
}

/**
 * Appends events in the caller's transaction: they commit or roll back with it. Consumers see
 * them after the commit (a NOTIFY wakes them). While the transaction is open it holds the head
 * rows of partitions 0 to the highest it appended to, so other appends to those partitions wait
 * for it: keep such transactions short. Appends never deadlock with each other.
 */
export async function appendInTransaction(target: SqlExecutor | PgLikeClient, log: LogLocation, events: readonly NewEvent[]): Promise<StoredEvent[]> {
  const ex = toExecutor(target);
  const schema = checkSchemaName(log.schema);
  const partitions = await partitionsOf(ex, schema, log.partitions);
  const now = log.now?.() ?? Date.now();
  return appendEvents((config) => ex.executeSql(config.text, config.values ? [...config.values] : []), statements(schema).append, events, partitions, now);
}

/** The app (or engine) whose log receives the events. */
export interface PublishTarget {
  readonly source: string;
  /** Must be a `postgresEngine(...)`; checked when called. */
  readonly engine: { readonly kind: string };
}

/**
 * Validates and builds the events like `app.publish`, then appends them in the caller's
 * transaction (`client` inside BEGIN, `fromKysely(trx)`, `fromDrizzle(tx)`). Resolves with the
 * stored envelopes; they are durable once the caller commits.
 */
export async function publishIn(target: SqlExecutor | PgLikeClient, app: PublishTarget, entries: readonly PublishEntry[]): Promise<Envelope[]> {
  const engine = app.engine as PostgresEngine | undefined;
  if (!engine || engine.kind !== 'postgres' || typeof engine.schema !== 'string') {
    throw new FactlineError('INVALID_ARGUMENT', 'publishIn needs an app created with postgresEngine(...)');
  }
  const ex = toExecutor(target);
  const partitions = await partitionsOf(ex, engine.schema, engine.partitions);
  const now = engine.clock.now();
  const events: NewEvent[] = [];
  for (const entry of entries) {
    const data = await validateData(entry.event, entry.data, 'publish');
    // Registered in a transaction of the engine's own (its pool), once per definition.
    const registering = registryOf(engine, app.source).produced(entry.event);
    if (registering) await registering;
    events.push(buildEnvelope(entry.event, data, app.source, partitions, now, entry.options));
  }
  const stored = await appendInTransaction(ex, { schema: engine.schema, partitions, now: () => now }, events);
  return stored.map((s) => s.envelope);
}
