import { FactlineError } from '../../core/errors.js';
import { connectionFailed, describeTarget, isConnectionError, toStoreError } from './errors.js';
import { checkSchemaName, readPartitions, runMigrations, type MigrationResult } from './migrations.js';
import { createPool } from './pool.js';
import type { PgPool, PgPoolClient } from './types.js';

export interface MigrateOptions {
  readonly connectionString?: string;
  readonly pool?: PgPool;
  /** Default `factline`. */
  readonly schema?: string;
}

/**
 * Brings a schema to this Factline's latest migration (what `factline migrate` runs). Safe to run
 * from several processes at once; throws StoreMismatchError when the schema was migrated by a
 * newer Factline, and a StoreError when PostgreSQL refuses a statement (e.g. the role may not create
 * the schema).
 */
export async function migrate(options: MigrateOptions): Promise<MigrationResult> {
  return withClient(options, 'migrate', async (client, schema) => {
    try {
      return await runMigrations(client, schema, true);
    } catch (err) {
      if (isConnectionError(err)) throw connectionFailed(describeTarget(options.connectionString), err);
      throw toStoreError(`migrate (schema ${schema})`, err);
    }
  });
}

/** Runs `fn` on one connection of the given pool, or of a pool made for the call and ended after. */
async function withClient<T>(options: MigrateOptions, what: string, fn: (client: PgPoolClient, schema: string) => Promise<T>): Promise<T> {
  const schema = checkSchemaName(options.schema ?? 'factline');
  if (!options.pool && !options.connectionString) {
    throw new FactlineError('INVALID_ARGUMENT', `${what} needs a connectionString (postgres://user@host:5432/db) or a pool`);
  }
  const pool = options.pool ?? (await createPool(options.connectionString!, 1));
  let client: PgPoolClient | undefined;
  try {
    try {
      client = await pool.connect();
    } catch (err) {
      throw connectionFailed(describeTarget(options.connectionString), err);
    }
    return await fn(client, schema);
  } finally {
    client?.release();
    if (!options.pool) await pool.end().catch(() => undefined);
  }
}

/**
 * The partition count of the log in a schema, or undefined when the schema holds no log yet
 * (for tools that open an existing log without knowing its settings).
 */
export async function storedPartitions(options: MigrateOptions): Promise<number | undefined> {
  return withClient(options, 'storedPartitions', async (client, schema) => {
    const exists = await client.query('select to_regclass($1) as t', [`"${schema}".meta`]);
    if ((exists.rows[0] as { t: string | null }).t === null) return undefined;
    return readPartitions(client, schema);
  });
}
