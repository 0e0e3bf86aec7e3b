import Database from 'better-sqlite3';
import { StoreMismatchError } from '../../core/errors.js';
import { PROCESS_TABLES } from './process-tables.js';

/**
 * Version of the table layout below; a file written by a newer Factline is refused. Layout 1 later
 * gained tables (ADDED) that Factline versions without them ignore: they are created when a
 * layout 1 log without them is opened, and the version stays 1 so that those versions still open
 * the file.
 */
export const SCHEMA_VERSION = 1;
const FORMAT = 'factline-log';

/** Per group and partition: the position of the last start of work there, and the starts in a row at it. */
const STARTS = `
create table if not exists factline_starts (
  grp text not null, partition integer not null, position integer not null, starts integer not null,
  primary key (grp, partition)) without rowid;
`;

/** Per group, type and version: the handlers its members declared when they started. */
const HANDLERS = `
create table if not exists factline_handlers (
  grp text not null, type text not null, version integer not null, kind text not null, member text not null,
  declared_at integer not null, seen_at integer not null,
  primary key (grp, type, version)) without rowid;
`;

/**
 * The column of factline_events holding an envelope attribute, written at append (null in rows
 * of a writer that did not set it).
 */
export function traceColumn(name: 'correlationid' | 'subject'): string {
  return name === 'correlationid' ? 'correlation_id' : 'subject';
}

/**
 * Adds the correlation id and subject columns to the events of a log created before they existed,
 * filled from the stored bodies (one pass over the table, once).
 */
function addTraceColumns(db: Database.Database): void {
  const columns = (db.prepare('pragma table_info(factline_events)').all() as { name: string }[]).map((c) => c.name);
  if (columns.includes('correlation_id')) return;
  db.exec(`
alter table factline_events add column correlation_id text;
alter table factline_events add column subject text;
update factline_events set
  correlation_id = case when json_valid(body) then json_extract(body, '$.correlationid') end,
  subject = case when json_valid(body) then json_extract(body, '$.subject') end;
drop index if exists factline_events_correlation;
drop index if exists factline_events_subject;
`);
}

/**
 * Indexes that `admin.trace` and `dlq list --subject` look up by: events by correlation id and by
 * subject (columns written at append: an index over the body would parse it at every insert),
 * dead letters by event and by subject. Created with the tables, and when an older log is opened
 * for writing.
 */
const TRACE_INDEXES = `
create index if not exists factline_events_correlation on factline_events (correlation_id);
create index if not exists factline_events_subject on factline_events (subject);
create index if not exists factline_dead_letters_event on factline_dead_letters (event_id);
create index if not exists factline_dead_letters_subject on factline_dead_letters (subject);
`;

/** The schema registry's tables: one row per (type, version), and the sources publishing each. */
const SCHEMA_REGISTRY = `
create table if not exists factline_schemas (
  type text not null, version integer not null, fingerprint text not null, schema text not null,
  compatibility text not null, registered_by text not null, registered_at integer not null,
  primary key (type, version)) without rowid;
create table if not exists factline_schema_producers (
  type text not null, version integer not null, source text not null, first_at integer not null, last_at integer not null,
  primary key (type, version, source)) without rowid;
`;

/**
 * Tables added to layout 1 after its first release, by name: created when a log without them is
 * opened. Factline versions that do not know a table ignore it.
 */
const ADDED: readonly (readonly [string, string])[] = [
  ['factline_starts', STARTS],
  ['factline_handlers', HANDLERS],
  ['factline_workflow_history', PROCESS_TABLES],
  ['factline_schemas', SCHEMA_REGISTRY],
];

const TABLES = `
create table if not exists factline_meta (key text primary key, value text not null) without rowid;
create table if not exists factline_partitions (partition integer primary key, head integer not null);
-- Clustered by (partition, sequence): a consumer's batch is one contiguous range of the b-tree,
-- which reads about twice as fast as rows spread over an append-ordered table.
create table if not exists factline_events (
  partition integer not null, sequence integer not null, id text not null, source text not null,
  type text not null, key text not null, time integer not null, body text not null,
  correlation_id text, subject text,
  primary key (partition, sequence)) without rowid;
create index if not exists factline_events_id on factline_events (id);
create table if not exists factline_positions (
  grp text not null, partition integer not null, position integer not null,
  primary key (grp, partition)) without rowid;
create table if not exists factline_inbox (
  grp text not null, id text not null, source text not null, handled_at integer not null,
  primary key (grp, id, source)) without rowid;
create table if not exists factline_members (
  grp text not null, member text not null, expires_at integer not null,
  primary key (grp, member)) without rowid;
create table if not exists factline_leases (
  grp text not null, partition integer not null, member text not null, expires_at integer not null,
  primary key (grp, partition)) without rowid;
create table if not exists factline_parked (
  grp text not null, partition integer not null, sequence integer not null, key text not null,
  state text not null, attempts integer not null, next_attempt_at integer not null,
  errors text not null, id text not null, source text not null, type text not null, body text not null,
  primary key (grp, partition, sequence)) without rowid;
create table if not exists factline_dead_letters (
  id text primary key, grp text not null, partition integer not null, sequence integer not null,
  key text not null, event_id text not null, event_source text not null, event_type text not null,
  subject text not null, body text not null, reason text not null, errors text not null,
  strict integer not null, status text not null, created_at integer not null,
  resolved_at integer, resolved_by text, resolution text, history text not null) without rowid;
create index if not exists factline_dead_letters_group on factline_dead_letters (grp, status);
${ADDED.map(([, ddl]) => ddl).join('')}${TRACE_INDEXES}`;

function tableNames(db: Database.Database): string[] {
  return (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name);
}

/** What factline_meta says about an existing log. */
export interface LogMeta {
  readonly partitions: number;
  readonly version: number;
}

function readMeta(db: Database.Database, file: string): Map<string, string> {
  try {
    return new Map((db.prepare('select key, value from factline_meta').all() as { key: string; value: string }[]).map((r) => [r.key, String(r.value)]));
  } catch (err) {
    if (err instanceof Database.SqliteError && /no such column/.test(err.message)) {
      throw new StoreMismatchError(`${file} has a factline_meta table that is not Factline's (${err.message}): it is not a Factline log; use another file`);
    }
    throw err;
  }
}

/**
 * What the tables and the factline_meta rows of a file say, without writing: undefined when the
 * file holds no Factline tables, or an empty factline_meta (a log can be made in it); throws
 * StoreMismatchError when the file is not a Factline log or was written by a newer Factline.
 * `meta` is read only when the file has a factline_meta table.
 */
export function logFrom(file: string, tables: readonly string[], meta: () => ReadonlyMap<string, string>): LogMeta | undefined {
  if (!tables.includes('factline_meta')) {
    if (tables.some((t) => t.startsWith('factline_'))) {
      throw new StoreMismatchError(`${file} has factline_ tables but no factline_meta: it is not a Factline log; use another file`);
    }
    return undefined;
  }
  const m = meta();
  if (m.size === 0) return undefined;
  if (m.get('format') !== FORMAT) {
    throw new StoreMismatchError(`${file} is not a Factline log (format ${m.get('format') ?? 'missing'} in its factline_meta table)`);
  }
  const version = Number(m.get('schema_version'));
  if (version > SCHEMA_VERSION) {
    throw new StoreMismatchError(`${file} was written by a newer Factline (layout ${version}, this one knows ${SCHEMA_VERSION}); upgrade factline`);
  }
  const partitions = Number(m.get('partitions'));
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new StoreMismatchError(`${file} is not a Factline log (partition count ${m.get('partitions') ?? 'missing'})`);
  }
  return { partitions, version };
}

/** `logFrom` over a connection to the file (reads only). */
export function readLog(db: Database.Database, file: string): LogMeta | undefined {
  return logFrom(file, tableNames(db), () => readMeta(db, file));
}

/**
 * Creates the tables in a file without a log, or checks that the file is a Factline log of a
 * layout this version knows with the same partition count (adding the tables later versions of
 * layout 1 gained). Throws StoreMismatchError otherwise, before writing. Runs in a write
 * transaction of its own.
 */
export function ensureSchema(db: Database.Database, file: string, partitions: number): number {
  const run = db.transaction(() => {
    const log = readLog(db, file);
    if (log) {
      if (log.partitions !== partitions) {
        throw new StoreMismatchError(`${file} was created with ${log.partitions} partitions, not ${partitions}; open it with partitions: ${log.partitions} (the count of a log never changes)`);
      }
      const present = tableNames(db);
      for (const [name, ddl] of ADDED) if (!present.includes(name)) db.exec(ddl);
      addTraceColumns(db);
      db.exec(TRACE_INDEXES);
      return log.partitions;
    }
    db.exec(TABLES);
    const put = db.prepare('insert into factline_meta (key, value) values (?, ?)');
    put.run('format', FORMAT);
    put.run('schema_version', String(SCHEMA_VERSION));
    put.run('partitions', String(partitions));
    const head = db.prepare('insert into factline_partitions (partition, head) values (?, 0)');
    for (let p = 0; p < partitions; p++) head.run(p);
    return partitions;
  });
  return run.immediate();
}

/** The partition count of an existing log, for tools that open it without knowing; never writes. */
export function storedPartitions(db: Database.Database, file: string): number {
  const log = readLog(db, file);
  if (!log) throw new StoreMismatchError(`${file} is not a Factline log (no factline_meta table)`);
  return log.partitions;
}
