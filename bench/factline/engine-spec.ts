/**
 * Where a Factline log lives, as plain data: the bench opens it in its own process, and a child
 * process (slow-group scenario) opens the same log from the same spec. Also the SQL of the small
 * row tables the bench's handlers write (one dialect per engine).
 */
import { rmSync } from 'node:fs';
import pg from 'pg';
import type { Engine } from 'factline';
import { postgresEngine } from 'factline/postgres';
import { sqliteEngine } from 'factline/sqlite';

export type EngineSpec =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string; readonly poolSize: number };

/** A new engine instance (its own connections) on the log of `spec`. */
export function openEngine(spec: EngineSpec): Engine<unknown> {
  if (spec.kind === 'sqlite') return sqliteEngine({ file: spec.file }) as Engine<unknown>;
  return postgresEngine({ connectionString: spec.url, schema: spec.schema, poolSize: spec.poolSize }) as Engine<unknown>;
}

/** Deletes the log (the file and its WAL, or the schema). */
export async function dropLog(spec: EngineSpec): Promise<void> {
  if (spec.kind === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${spec.file}${suffix}`, { force: true });
    return;
  }
  const client = new pg.Client({ connectionString: spec.url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${spec.schema}" cascade`);
  } finally {
    await client.end();
  }
}

interface SqliteLike {
  prepare(sql: string): { run(...args: unknown[]): unknown; get(...args: unknown[]): unknown };
}
interface PgLike {
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** A table of one row per effect: (event id, any number of times: duplicates stay visible). */
export interface RowsTable {
  create(db: unknown): Promise<void>;
  insert(db: unknown, id: string): Promise<void>;
  count(db: unknown): Promise<{ rows: number; distinct: number }>;
}

export function rowsTable(spec: EngineSpec, name: string): RowsTable {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe table name ${name}`);
  const count = `select count(*) as n, count(distinct id) as d from`;
  if (spec.kind === 'sqlite') {
    const s = (db: unknown) => db as SqliteLike;
    return {
      create: async (db) => void s(db).prepare(`create table if not exists ${name} (rid integer primary key, id text not null)`).run(),
      insert: async (db, id) => void s(db).prepare(`insert into ${name} (id) values (?)`).run(id),
      count: async (db) => {
        const row = s(db).prepare(`${count} ${name}`).get() as { n: number; d: number };
        return { rows: Number(row.n), distinct: Number(row.d) };
      },
    };
  }
  const table = `"${spec.schema}".${name}`;
  const p = (db: unknown) => db as PgLike;
  return {
    create: async (db) => void (await p(db).query(`create table if not exists ${table} (rid bigserial primary key, id text not null)`)),
    insert: async (db, id) => void (await p(db).query(`insert into ${table} (id) values ($1)`, [id])),
    count: async (db) => {
      const row = (await p(db).query(`${count} ${table}`)).rows[0] ?? {};
      return { rows: Number(row.n), distinct: Number(row.d) };
    },
  };
}
