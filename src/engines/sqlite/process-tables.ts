import type Database from 'better-sqlite3';
import type { ProcessTables, Query } from '../process-sql.js';

/**
 * Scheduled deliveries, sent commands and their decisions, workflow instances and their history.
 * Added with `create table if not exists`, so logs of layout 1 made before gain them when opened.
 */
export const PROCESS_TABLES = `
create table if not exists factline_scheduled (
  id text primary key, source text not null, type text not null, key text not null, partition integer not null,
  due_at integer not null, created_at integer not null, body text not null) without rowid;
create index if not exists factline_scheduled_due on factline_scheduled (due_at);
create index if not exists factline_scheduled_key on factline_scheduled (key);
create table if not exists factline_commands (
  id text not null, source text not null, type text not null, key text not null, sent_at integer not null,
  status text not null, reason text, grp text, decided_at integer,
  primary key (id, source)) without rowid;
create index if not exists factline_commands_status on factline_commands (status, type);
create table if not exists factline_workflows (
  name text not null, key text not null, state text not null, done integer not null, data text not null,
  timers text not null, commands text not null, entries integer not null, correlation_id text not null,
  started_at integer not null, updated_at integer not null,
  primary key (name, key)) without rowid;
create index if not exists factline_workflows_state on factline_workflows (name, state);
create table if not exists factline_workflow_history (
  name text not null, key text not null, n integer not null, at integer not null, kind text not null,
  event_id text not null, event_type text not null, timer text, from_state text, to_state text, detail text not null,
  primary key (name, key, n)) without rowid;
`;

export const SQLITE_PROCESS_TABLES: ProcessTables = {
  scheduled: 'factline_scheduled',
  commands: 'factline_commands',
  workflows: 'factline_workflows',
  history: 'factline_workflow_history',
};

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Runs `sql` on `db` (prepared once per connection); a statement without rows returns []. */
export function sqliteRows(db: Database.Database, sql: string, params: readonly unknown[]): Record<string, unknown>[] {
  let statements = cache.get(db);
  if (!statements) cache.set(db, (statements = new Map()));
  let st = statements.get(sql);
  if (!st) statements.set(sql, (st = db.prepare(sql)));
  if (st.reader) return st.all(...params) as Record<string, unknown>[];
  st.run(...params);
  return [];
}

/** A Query on `db`, its driver errors turned into StoreErrors by `own`. */
export function sqliteQuery(db: Database.Database, own: <T>(what: string, fn: () => T) => T): Query {
  return async (sql, params) => own('query', () => sqliteRows(db, sql, params));
}
