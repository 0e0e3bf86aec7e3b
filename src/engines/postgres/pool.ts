import type { PgPool } from './types.js';

/**
 * Creates a node-postgres pool for a connection string. `pg` is loaded here only, so an app that
 * passes its own pool does not need it.
 */
export async function createPool(connectionString: string, max: number): Promise<PgPool> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 10_000 });
  // An idle connection that breaks (server restart) is dropped by the pool; without a listener
  // its error would end the process.
  pool.on('error', () => undefined);
  return pool as unknown as PgPool;
}
