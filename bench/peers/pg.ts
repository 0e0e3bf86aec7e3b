/** PostgreSQL plumbing shared by the peers that keep a log or their marks in PostgreSQL. */
import pg from 'pg';
import { PROBE_TIMEOUT_MS, type BenchConfig } from '../config.js';
import { errorText } from '../measure.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function pgPool(cfg: BenchConfig, max: number): pg.Pool {
  const pool = new pg.Pool({
    host: cfg.host,
    port: cfg.pg.port,
    user: cfg.pg.user,
    database: cfg.pg.database,
    max,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the bench.
  pool.on('error', (err) => console.error(`  postgres pool: ${errorText(err)}`));
  return pool;
}

/** null when PostgreSQL answers, otherwise why not. */
export async function pgAvailable(cfg: BenchConfig): Promise<string | null> {
  const client = new pg.Client({
    host: cfg.host,
    port: cfg.pg.port,
    user: cfg.pg.user,
    database: cfg.pg.database,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `PostgreSQL ${cfg.host}:${cfg.pg.port}: ${errorText(err)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Quotes an identifier built from the run id (already restricted to [a-z0-9_]). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}
