import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe } from 'vitest';

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

/** Schemas made by freshSchema in this test file, dropped after its last test. */
const created = new Set<string>();

/**
 * A schema name no other test uses. The schema, and any schema whose name starts with it and
 * `_` (a test's `${schema}_shop`), is dropped once every test of the file has run, whether the
 * tests passed or not.
 */
export function freshSchema(label: string): string {
  const name = `t_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  created.add(name);
  return name;
}

/** Drops `schemas` and the schemas named after them (`<schema>_...`); returns how many were dropped. */
export async function dropSchemas(schemas: readonly string[]): Promise<number> {
  if (schemas.length === 0) return 0;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query("set lock_timeout = '10s'; set client_min_messages = warning");
    const { rows } = await client.query<{ nspname: string }>(
      "select nspname from pg_namespace where nspname = any($1) or nspname like any(select replace(s, '_', '\\_') || '\\_%' from unnest($1::text[]) s)",
      [schemas],
    );
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
    return rows.length;
  } finally {
    await client.end();
  }
}

// Registered once per test file (each file loads this module afresh).
afterAll(async () => {
  const schemas = [...created];
  created.clear();
  if (!pgAvailable || schemas.length === 0) return;
  try {
    await dropSchemas(schemas);
  } catch (err) {
    console.warn(`could not drop the test schemas ${schemas.join(', ')}: ${String(err)}`);
  }
});

/** A connection string whose sessions resolve unqualified table names in `schema` first. */
export function urlWithSearchPath(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return url.toString();
}
