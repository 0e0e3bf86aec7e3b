import type { PgPool } from './types.js';

/**
 * Creates a node-postgres pool for a connection string. `pg` is loaded here only, so an app that
 * passes its own pool does not need it. Its sessions run with PostgreSQL's JIT off (unless the
 * connection string sets `options` itself): Factline's statements are short, and JIT compiles
 * for up to a second a statement planned as costly, which a small or new table often is.
 */
export async function createPool(connectionString: string, max: number): Promise<PgPool> {
  const pg = (await import('pg')).default;
  const jitOff = /[?&]options=/.test(connectionString) ? {} : { options: '-c jit=off' };
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 10_000, ...jitOff });
  // An idle connection that breaks (server restart) is dropped by the pool; without a listener
  // its error would end the process.
  pool.on('error', () => undefined);
  return pool as unknown as PgPool;
}
