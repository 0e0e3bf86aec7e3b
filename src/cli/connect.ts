import type { Engine } from '../core/engine.js';
import { FactlineError, StoreMismatchError } from '../core/errors.js';
import { sqliteEngine } from '../engines/sqlite/index.js';
import { checkSchemaName } from '../engines/postgres/migrations.js';
import { sqlitePartitions } from './sqlite-log.js';
import { UsageError } from './usage-error.js';

export { sqlitePartitions };

/** Where the log is: a SQLite file, or a PostgreSQL database and schema. */
export type Target =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

export interface TargetFlags {
  readonly db?: string | undefined;
  readonly url?: string | undefined;
  readonly schema?: string | undefined;
}

/**
 * Flags win over FACTLINE_DB / FACTLINE_URL; giving both a file and a URL, `--schema` with a SQLite
 * file, or a schema name PostgreSQL logs cannot have is a usage error (exit code 2).
 */
export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): Target {
  if (flags.db !== undefined && flags.url !== undefined) {
    throw new UsageError('give either --db <file> or --url <postgres url>, not both');
  }
  const postgres = (url: string): Target => {
    const schema = flags.schema ?? env.FACTLINE_SCHEMA ?? 'factline';
    try {
      checkSchemaName(schema);
    } catch {
      throw new UsageError(`bad value for ${flags.schema !== undefined ? '--schema' : 'FACTLINE_SCHEMA'}: ${JSON.stringify(schema)} is not a Factline schema name (a lower-case identifier of at most 48 characters: a-z, 0-9, _)`);
    }
    return { kind: 'postgres', url, schema };
  };
  const sqlite = (file: string): Target => {
    if (flags.schema !== undefined) throw new UsageError('--schema names a PostgreSQL schema; a SQLite log (--db) has none');
    return { kind: 'sqlite', file };
  };
  if (flags.db !== undefined) return sqlite(flags.db);
  if (flags.url !== undefined) return postgres(flags.url);
  if (env.FACTLINE_DB) return sqlite(env.FACTLINE_DB);
  if (env.FACTLINE_URL) return postgres(env.FACTLINE_URL);
  throw new UsageError('no database given: pass --db <sqlite file> or --url <postgres url> (or set FACTLINE_DB / FACTLINE_URL)');
}

/** A connection string with its user and password replaced by `***`. */
function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export function describeTarget(t: Target): string {
  return t.kind === 'sqlite' ? t.file : `${redacted(t.url)} (schema ${t.schema})`;
}

/** An engine opened on an existing log with the log's own partition count. */
export interface OpenStore {
  readonly engine: Engine;
  readonly partitions: number;
  readonly target: Target;
  close(): Promise<void>;
}

/** The shape of the optional PostgreSQL engine module, checked at load time. */
export interface PostgresModule {
  postgresEngine(options: { connectionString: string; schema: string }): Engine;
  migrate(options: { connectionString: string; schema: string }): Promise<unknown>;
  storedPartitions?(options: { connectionString: string; schema: string }): Promise<number | undefined>;
}

/** Loads the PostgreSQL engine if this installation has it (it needs the optional `pg` peer). */
export async function loadPostgres(): Promise<PostgresModule> {
  const candidates = ['../engines/postgres/index.js', '../engines/postgres/index.ts'];
  let lastError: unknown;
  for (const rel of candidates) {
    try {
      const mod = (await import(new URL(rel, import.meta.url).href)) as Partial<PostgresModule>;
      if (typeof mod.postgresEngine !== 'function' || typeof mod.migrate !== 'function') {
        throw new FactlineError('POSTGRES_UNAVAILABLE', 'the PostgreSQL engine of this factline installation lacks postgresEngine() or migrate()');
      }
      return mod as PostgresModule;
    } catch (err) {
      if (err instanceof FactlineError) throw err;
      lastError = err;
    }
  }
  throw new FactlineError(
    'POSTGRES_UNAVAILABLE',
    `the PostgreSQL engine cannot be loaded (${(lastError as Error | undefined)?.message ?? 'not found'}); install the pg package or use --db <sqlite file>`,
  );
}

async function openPostgres(t: Extract<Target, { kind: 'postgres' }>): Promise<OpenStore> {
  const mod = await loadPostgres();
  const options = { connectionString: t.url, schema: t.schema };
  const stored = mod.storedPartitions ? await mod.storedPartitions(options) : undefined;
  if (stored === undefined) {
    throw new StoreMismatchError(`no Factline log in schema ${t.schema} of ${redacted(t.url)}; check --url and --schema (a log is created when an app first starts on it, or by factline migrate)`);
  }
  const engine = mod.postgresEngine(options);
  try {
    await engine.open({ partitions: stored });
  } catch (err) {
    await engine.close().catch(() => undefined);
    throw err;
  }
  return { engine, partitions: stored, target: t, close: () => engine.close() };
}

/** Opens the log a command works on. */
export async function openStore(t: Target): Promise<OpenStore> {
  if (t.kind === 'postgres') return openPostgres(t);
  const partitions = sqlitePartitions(t.file);
  const engine = sqliteEngine({ file: t.file });
  try {
    await engine.open({ partitions });
  } catch (err) {
    await engine.close().catch(() => undefined);
    throw err;
  }
  return { engine, partitions, target: t, close: () => engine.close() };
}
