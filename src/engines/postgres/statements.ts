import { createHash } from 'node:crypto';
import type { PgQueryConfig } from './types.js';

/**
 * The engine's statements for one schema. Each has a name, so node-postgres prepares it once per
 * connection and later runs skip parsing and planning. The name holds a digest of the schema, not
 * the schema itself: PostgreSQL cuts names at 63 bytes, and two statements of a long schema name
 * would then share one prepared name.
 */
export function statements(schema: string) {
  const q = `"${schema}"`;
  const tag = createHash('sha256').update(schema).digest('hex').slice(0, 16);
  const named = (name: string, text: string) => (values: unknown[]): PgQueryConfig => ({ name: `factline.${tag}.${name}`, text, values });
  return {
    append: named('append', `select o_partition, o_base from ${q}.append_traced($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text, $8::bigint, $9::text[], $10::text[])`),
    // A probe of the hash index per id (a hash index cannot serve `id = any(...)` itself).
    findEvents: named('findEvents', `
      select e.id, e.source, e.partition, e.sequence from unnest($1::text[]) as t(id)
      cross join lateral (select id, source, partition, sequence from ${q}.events e where e.id = t.id) as e`),
    read: named('read', `select partition, sequence, id, source, type, key, body from ${q}.events where partition = $1 and sequence > $2 order by sequence limit $3`),
    // read, with the groups among $4 that have an inbox row for each event (an index probe per group).
    readHandled: named('readHandled', `
      select e.partition, e.sequence, e.id, e.source, e.type, e.key, e.body,
        array(select i.grp from ${q}.inbox i where i.grp = any($4::text[]) and i.id = e.id and i.source = e.source) as handled_by
      from ${q}.events e where e.partition = $1 and e.sequence > $2 order by e.sequence limit $3`),
    parked: named('parked', `select * from ${q}.parked where grp = $1 and partition = $2 order by key, sequence`),
    position: named('position', `
      with ins as (
        insert into ${q}.positions (grp, partition, position)
        select $1, $2, case when $3 then h.head else 0 end from ${q}.partitions h where h.partition = $2
        on conflict do nothing returning position)
      select position from ins union all select position from ${q}.positions where grp = $1 and partition = $2 limit 1`),
    // Committed inbox rows only. One index probe per event (the lateral LIMIT 1), whatever the
    // inbox's size or the cached plan.
    handled: named('handled', `
      select t.id, t.source from unnest($2::text[], $3::text[]) as t(id, source)
      cross join lateral (select 1 from ${q}.inbox i where i.grp = $1 and i.id = t.id and i.source = t.source limit 1) as hit`),
    // Inserts the rows in the order given (the caller sorts them, so concurrent claimers take the
    // unique-key locks in one order) and returns those it inserted: the claimed ones. A row that an
    // open transaction inserted makes this wait until that one commits (then it is not returned)
    // or rolls back (then it is inserted).
    claim: named('claim', `
      insert into ${q}.inbox (grp, id, source, handled_at)
      select $1, t.id, t.source, $4 from unnest($2::text[], $3::text[]) with ordinality as t(id, source, n) order by t.n
      on conflict do nothing returning id, source`),
    // recordHandled for one group: takes the leases still held (in partition order, as heartbeats
    // update them), then inserts the inbox rows of those partitions in the order given (sorted by
    // the caller, as for claim) and raises their positions. Returns the held partitions and the
    // identities it inserted. One statement: its own transaction, no BEGIN or COMMIT.
    recordHandled: named('recordHandled', `
      with held as (
        select l.partition from ${q}.leases l join unnest($2::int[], $3::text[]) as t(partition, member)
          on l.partition = t.partition and l.member = t.member
        where l.grp = $1 order by l.partition for share of l),
      ins as (
        insert into ${q}.inbox (grp, id, source, handled_at)
        select $1, t.id, t.source, $8 from unnest($5::int[], $6::text[], $7::text[]) with ordinality as t(partition, id, source, n)
        where t.partition in (select partition from held) order by t.n
        on conflict do nothing returning id, source),
      pos as (
        insert into ${q}.positions as p (grp, partition, position)
        select $1, t.partition, t.position from unnest($2::int[], $4::bigint[]) as t(partition, position)
        where t.partition in (select partition from held) order by t.partition
        on conflict (grp, partition) do update set position = greatest(p.position, excluded.position))
      select partition, null::text as id, null::text as source from held
      union all select null, id, source from ins`),
    dropClaims: named('dropClaims', `
      delete from ${q}.inbox i using unnest($2::text[], $3::text[]) as t(id, source) where i.grp = $1 and i.id = t.id and i.source = t.source`),
    markStart: named('markStart', `
      insert into ${q}.starts as s (grp, partition, position, starts) values ($1, $2, $3, 1)
      on conflict (grp, partition) do update
        set starts = case when s.position = excluded.position then s.starts + 1 else 1 end, position = excluded.position
      returning starts`),
    declareHandler: named('declareHandler', `
      insert into ${q}.handlers (grp, type, version, kind, member, declared_at, seen_at) values ($1, $2, $3, $4, $5, $6, $6)
      on conflict (grp, type, version) do update set kind = excluded.kind, member = excluded.member, seen_at = excluded.seen_at`),
    openDeadLetters: named('openDeadLetters', `select count(*)::int as n from ${q}.dead_letters where grp = $1 and status = 'open'`),
    commitBatch: named('commitBatch', `select ${q}.commit_batch($1, $2, $3, $4, $5::text[], $6::text[], $7, $8::text[], $9::text[]) as ok`),
    upsertParked: named('upsertParked', `
      insert into ${q}.parked (grp, partition, sequence, key, state, attempts, next_attempt_at, errors, id, source, type, body)
      select * from unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
      on conflict (grp, partition, sequence) do update set state = excluded.state, attempts = excluded.attempts,
        next_attempt_at = excluded.next_attempt_at, errors = excluded.errors`),
    deleteParked: named('deleteParked', `delete from ${q}.parked where grp = $1 and partition = $2 and sequence = any($3::bigint[])`),
    insertDeadLetters: named('insertDeadLetters', `
      insert into ${q}.dead_letters (id, grp, partition, sequence, key, event_id, event_source, event_type, subject, body,
        reason, errors, strict, status, created_at, resolved_at, resolved_by, resolution, history)
      select * from unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
        $10::text[], $11::text[], $12::text[], $13::boolean[], $14::text[], $15::bigint[], $16::bigint[], $17::text[], $18::text[], $19::text[])`),
    pruneInbox: named('pruneInbox', `
      delete from ${q}.inbox where ctid = any(array(select ctid from ${q}.inbox where handled_at < $1 limit 5000))`),
  };
}

export type Statements = ReturnType<typeof statements>;
