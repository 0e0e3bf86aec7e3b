import { migrationWorkflows } from './migration-workflows.js';
import { FactlineError, StoreMismatchError } from '../../core/errors.js';
import type { PgPoolClient } from './types.js';
import { migrationHandlers } from './migration-handlers.js';
import { migrationTrace } from './migration-trace.js';
import { migrationSchemaRegistry } from './migration-schema-registry.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** Checks a schema name; it is written into SQL, so only plain lower-case identifiers pass. */
export function checkSchemaName(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new FactlineError('INVALID_ARGUMENT', `schema must be a lower-case identifier of at most 48 characters (a-z, 0-9, _), got ${JSON.stringify(schema)}`);
  }
  return schema;
}

/** The NOTIFY channel of a schema's log. */
export function channelOf(schema: string): string {
  return `${schema}_events`;
}

/**
 * Migration 1: every table, and two functions that keep the hot paths at one round trip.
 *
 * `append` locks the head rows of partitions 0 to the highest it writes, in order (so appends
 * cannot deadlock with each other), advances the heads it writes, and holds the locks until commit: the sequences of a
 * partition are gap-free and commit in sequence order, so a reader that sees sequence S has
 * seen every lower sequence of that partition. The bodies arrive as one text, separated by U+001E
 * (JSON text never holds that character raw), which is cheaper to send than an array. It NOTIFYs once, with the partitions it wrote
 * as the payload (PostgreSQL folds identical notifications of one transaction).
 *
 * `commit_batch` checks that the member holds the lease and keeps the lease row locked until
 * commit (a heartbeat that takes the partition waits), then writes the inbox rows and the position.
 */
function migration1(s: string): string {
  const q = `"${s}"`;
  return `
create table ${q}.meta (key text primary key, value text not null);
create table ${q}.partitions (partition int primary key, head bigint not null);
-- body: the envelope JSON without its sequence (the sequence column has it; reads add it).
create table ${q}.events (
  partition int not null, sequence bigint not null, id text not null, source text not null,
  type text not null, key text not null, time bigint not null, body text not null,
  primary key (partition, sequence));
create index events_id on ${q}.events using hash (id);
create table ${q}.positions (grp text not null, partition int not null, position bigint not null, primary key (grp, partition));
create table ${q}.inbox (grp text not null, id text not null, source text not null, handled_at bigint not null, primary key (grp, id, source));
create index inbox_handled_at on ${q}.inbox (handled_at);
create table ${q}.members (grp text not null, member text not null, expires_at bigint not null, primary key (grp, member));
create table ${q}.leases (grp text not null, partition int not null, member text not null, expires_at bigint not null, primary key (grp, partition));
create table ${q}.parked (
  grp text not null, partition int not null, sequence bigint not null, key text not null,
  state text not null, attempts int not null, next_attempt_at bigint not null,
  errors text not null, id text not null, source text not null, type text not null, body text not null,
  primary key (grp, partition, sequence));
create table ${q}.dead_letters (
  id text primary key, grp text not null, partition int not null, sequence bigint not null,
  key text not null, event_id text not null, event_source text not null, event_type text not null,
  subject text not null, body text not null, reason text not null, errors text not null,
  strict boolean not null, status text not null, created_at bigint not null,
  resolved_at bigint, resolved_by text, resolution text, history text not null);
create index dead_letters_group on ${q}.dead_letters (grp, status);

create function ${q}.append(p_partitions int[], p_offsets int[], p_ids text[], p_sources text[], p_types text[], p_keys text[], p_bodies text, p_time bigint)
returns table (o_partition int, o_base bigint) language plpgsql as $fn$
begin
  -- Lock the heads of partitions 0 to the highest one written, in order (rows this transaction
  -- holds already are skipped at no cost). Every transaction then holds a prefix of the
  -- partitions and only ever extends it upwards, so appends cannot deadlock each other, even
  -- when one transaction appends several times in any order.
  perform 1 from ${q}.partitions h where h.partition <= (select max(u.p) from unnest(p_partitions) as u(p)) order by h.partition for update;
  return query
  with c as (select u.p, max(u.o) as n from unnest(p_partitions, p_offsets) as u(p, o) group by u.p),
  upd as (
    update ${q}.partitions h set head = h.head + c.n from c where h.partition = c.p
    returning h.partition as p, h.head - c.n as base),
  ins as (
    insert into ${q}.events (partition, sequence, id, source, type, key, time, body)
    select i.p, upd.base + i.o, i.id, i.source, i.type, i.key, p_time, i.body
    from unnest(p_partitions, p_offsets, p_ids, p_sources, p_types, p_keys, string_to_array(p_bodies, E'\\x1e'))
      as i(p, o, id, source, type, key, body)
    join upd on upd.p = i.p)
  select upd.p, upd.base from upd;
  -- The payload names the partitions, so that only their consumers wake.
  perform pg_notify('${channelOf(s)}', (select string_agg(distinct u.p::text, ',') from unnest(p_partitions) as u(p)));
end
$fn$;

create function ${q}.commit_batch(p_grp text, p_partition int, p_member text, p_position bigint, p_ids text[], p_sources text[], p_now bigint)
returns boolean language plpgsql as $fn$
begin
  perform 1 from ${q}.leases l where l.grp = p_grp and l.partition = p_partition and l.member = p_member for share;
  if not found then
    return false;
  end if;
  if cardinality(p_ids) > 0 then
    insert into ${q}.inbox (grp, id, source, handled_at)
    select p_grp, t.id, t.source, p_now from unnest(p_ids, p_sources) as t(id, source)
    on conflict do nothing;
  end if;
  if p_position is not null then
    insert into ${q}.positions as p (grp, partition, position) values (p_grp, p_partition, p_position)
    on conflict (grp, partition) do update set position = greatest(p.position, excluded.position);
  end if;
  return true;
end
$fn$;
`;
}

/**
 * Migration 2: `starts` (how many starts in a row found a group's partition at one position), and
 * `commit_batch` with the claims to drop. A consume transaction claims the identities it is about
 * to handle by inserting their inbox rows before running handlers, so a transaction of another
 * partition that meets the same identity waits for it at the unique key; at commit the claims
 * that were not handled are deleted again. The 7-argument `commit_batch` of migration 1 stays, for
 * processes of the previous version that run until they are upgraded.
 */
function migration2(s: string): string {
  const q = `"${s}"`;
  return `
create table ${q}.starts (grp text not null, partition int not null, position bigint not null, starts int not null, primary key (grp, partition));

create function ${q}.commit_batch(p_grp text, p_partition int, p_member text, p_position bigint, p_ids text[], p_sources text[], p_now bigint,
  p_drop_ids text[], p_drop_sources text[])
returns boolean language plpgsql as $fn$
begin
  perform 1 from ${q}.leases l where l.grp = p_grp and l.partition = p_partition and l.member = p_member for share;
  if not found then
    return false;
  end if;
  -- Claims of this transaction that were not handled: the caller passes only rows it inserted itself.
  if cardinality(p_drop_ids) > 0 then
    delete from ${q}.inbox i using unnest(p_drop_ids, p_drop_sources) as t(id, source)
    where i.grp = p_grp and i.id = t.id and i.source = t.source;
  end if;
  -- Handled rows this transaction claimed exist already; the others are inserted here.
  if cardinality(p_ids) > 0 then
    insert into ${q}.inbox (grp, id, source, handled_at)
    select p_grp, t.id, t.source, p_now from unnest(p_ids, p_sources) as t(id, source)
    on conflict do nothing;
  end if;
  if p_position is not null then
    insert into ${q}.positions as p (grp, partition, position) values (p_grp, p_partition, p_position)
    on conflict (grp, partition) do update set position = greatest(p.position, excluded.position);
  end if;
  return true;
end
$fn$;
`;
}

/** Every migration this Factline knows, in order; version i + 1 is MIGRATIONS[i]. */
const MIGRATIONS: readonly ((schema: string) => string)[] = [migration1, migration2, migrationHandlers, migrationTrace, migrationSchemaRegistry, migrationWorkflows];

export const LATEST_MIGRATION = MIGRATIONS.length;

export interface MigrationResult {
  readonly schema: string;
  /** The version the schema was at (0 when it had no Factline tables). */
  readonly from: number;
  readonly to: number;
}

async function lockSchema(client: PgPoolClient, schema: string): Promise<void> {
  await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`factline.migrate:${schema}`]);
}

/** The schema's applied migration version, 0 if it has none; runs inside the caller's transaction. */
export async function appliedVersion(client: PgPoolClient, schema: string): Promise<number> {
  const exists = await client.query('select to_regclass($1) as t', [`"${schema}".migrations`]);
  if ((exists.rows[0] as { t: string | null }).t === null) return 0;
  const res = await client.query(`select coalesce(max(version), 0)::int as v from "${schema}".migrations`);
  return (res.rows[0] as { v: number }).v;
}

function tooNew(schema: string, version: number): StoreMismatchError {
  return new StoreMismatchError(
    `schema ${schema} was migrated by a newer Factline (migration ${version}; this version knows up to ${LATEST_MIGRATION}); upgrade factline in this service`,
  );
}

/**
 * Brings the schema to the latest migration (or to `target`, for tests of older schemas) in one
 * transaction. Concurrent callers (several processes starting at once) queue on an advisory lock;
 * the second finds nothing to do. With `apply: false` only checks, and throws StoreMismatchError
 * if migrations are missing.
 */
export async function runMigrations(client: PgPoolClient, schema: string, apply: boolean, target = LATEST_MIGRATION): Promise<MigrationResult> {
  await client.query('begin');
  try {
    await lockSchema(client, schema);
    const from = await appliedVersion(client, schema);
    if (from > LATEST_MIGRATION) throw tooNew(schema, from);
    if (from < LATEST_MIGRATION && !apply) {
      throw new StoreMismatchError(
        `schema ${schema} is at migration ${from}, this Factline needs ${LATEST_MIGRATION}; run \`factline migrate\` (or open the engine with migrate: 'auto')`,
      );
    }
    if (from === 0) {
      const clash = await client.query(
        "select count(*)::int as n from information_schema.tables where table_schema = $1",
        [schema],
      );
      if ((clash.rows[0] as { n: number }).n > 0) {
        throw new StoreMismatchError(`schema ${schema} already holds tables that are not a Factline log; give the engine a schema of its own`);
      }
      await client.query(`create schema if not exists "${schema}"`);
      await client.query(`create table "${schema}".migrations (version int primary key, applied_at timestamptz not null default now())`);
    }
    for (let v = from + 1; v <= target; v++) {
      await client.query(MIGRATIONS[v - 1]!(schema));
      await client.query(`insert into "${schema}".migrations (version) values ($1)`, [v]);
    }
    await client.query('commit');
    return { schema, from, to: Math.max(from, target) };
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/**
 * Sets the partition count of a new log, or checks it against the stored one. Returns the count.
 */
export async function ensurePartitions(client: PgPoolClient, schema: string, partitions: number): Promise<number> {
  await client.query('begin');
  try {
    await lockSchema(client, schema);
    const row = await client.query(`select value from "${schema}".meta where key = 'partitions'`);
    const stored = (row.rows[0] as { value: string } | undefined)?.value;
    if (stored !== undefined) {
      if (Number(stored) !== partitions) {
        throw new StoreMismatchError(
          `the log in schema ${schema} was created with ${stored} partitions, not ${partitions}; open it with partitions: ${stored} (the count of a log never changes)`,
        );
      }
    } else {
      await client.query(`insert into "${schema}".meta (key, value) values ('format', 'factline-log'), ('partitions', $1)`, [String(partitions)]);
      await client.query(`insert into "${schema}".partitions (partition, head) select p, 0 from generate_series(0, $1::int - 1) as p`, [partitions]);
    }
    await client.query('commit');
    return partitions;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/** The partition count stored in a schema, or undefined before the first open. */
export async function readPartitions(db: { query(text: string): Promise<{ rows: unknown[] }> }, schema: string): Promise<number | undefined> {
  const res = await db.query(`select value from "${schema}".meta where key = 'partitions'`);
  const value = (res.rows[0] as { value: string } | undefined)?.value;
  return value === undefined ? undefined : Number(value);
}
