import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

/** The test server's URL (trust auth on 127.0.0.1 by default). */
export const PG_URL = process.env.FACTLINE_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

async function probe(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (err) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL at ${PG_URL} is unreachable and CI=true: the PostgreSQL tests must run in CI (${String(err)})`);
    }
    console.warn(`\n!!! PostgreSQL at ${PG_URL} is unreachable (${String(err)}): SKIPPING the PostgreSQL tests. Set FACTLINE_TEST_PG_URL.\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const pgAvailable = await probe();

/** `describe` that skips (loudly, see above) when the server is unreachable outside CI. */
export const describePg: typeof describe = describe.skipIf(!pgAvailable) as typeof describe;

/** A schema name no other test uses. */
export function freshSchema(label: string): string {
  return `t_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** A connection string whose sessions resolve unqualified table names in `schema` first. */
export function urlWithSearchPath(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return url.toString();
}
