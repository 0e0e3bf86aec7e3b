import type Database from 'better-sqlite3';
import { StoreMismatchError } from '../../core/errors.js';

/** Version of the table layout below; a file written by a newer Factline is refused. */
export const SCHEMA_VERSION = 1;
const FORMAT = 'factline-log';

const TABLES = `
create table if not exists factline_meta (key text primary key, value text not null) without rowid;
create table if not exists factline_partitions (partition integer primary key, head integer not null);
-- Clustered by (partition, sequence): a consumer's batch is one contiguous range of the b-tree,
-- which reads about twice as fast as rows spread over an append-ordered table.
create table if not exists factline_events (
  partition integer not null, sequence integer not null, id text not null, source text not null,
  type text not null, key text not null, time integer not null, body text not null,
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
`;

function tableNames(db: Database.Database): string[] {
  return (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name);
}

/**
 * Creates the tables in an empty file, or checks that the file is a Factline log of this layout
 * version with the same partition count. Throws StoreMismatchError otherwise, before writing.
 */
export function ensureSchema(db: Database.Database, file: string, partitions: number): number {
  const existing = tableNames(db);
  if (!existing.includes('factline_meta') && existing.some((t) => t.startsWith('factline_'))) {
    throw new StoreMismatchError(`${file} has factline_ tables but no factline_meta: it is not a Factline log; use another file`);
  }
  const run = db.transaction(() => {
    const meta = existing.includes('factline_meta')
      ? new Map((db.prepare('select key, value from factline_meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]))
      : new Map<string, string>();
    if (meta.size > 0) {
      if (meta.get('format') !== FORMAT) {
        throw new StoreMismatchError(`${file} is not a Factline log (format ${meta.get('format') ?? 'missing'})`);
      }
      const version = Number(meta.get('schema_version'));
      if (version > SCHEMA_VERSION) {
        throw new StoreMismatchError(`${file} was written by a newer Factline (layout ${version}, this one knows ${SCHEMA_VERSION}); upgrade factline`);
      }
      const stored = Number(meta.get('partitions'));
      if (stored !== partitions) {
        throw new StoreMismatchError(`${file} was created with ${stored} partitions, not ${partitions}; open it with partitions: ${stored} (the count of a log never changes)`);
      }
      return stored;
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

/** Reads the partition count of an existing log, for tools that open it without knowing. */
export function storedPartitions(db: Database.Database, file: string): number {
  if (!tableNames(db).includes('factline_meta')) {
    throw new StoreMismatchError(`${file} is not a Factline log (no factline_meta table)`);
  }
  const row = db.prepare("select value from factline_meta where key = 'partitions'").get() as { value: string } | undefined;
  if (!row) throw new StoreMismatchError(`${file} is not a Factline log (no partition count)`);
  return Number(row.value);
}
