import { channelOf } from './migrations.js';

/**
 * The column of `events` holding an envelope attribute: written at append by `append_traced`,
 * null in rows appended by a Factline version older than migration 4.
 */
export function traceColumn(name: 'correlationid' | 'subject'): string {
  return name === 'correlationid' ? 'correlation_id' : 'subject';
}

/**
 * Migration 4: what `admin.trace` and `dlq list --subject` look up by. Events gain a correlation id
 * and a subject column, filled from the stored bodies of the rows already there and written at
 * append from then on (an index over the body would parse it at every insert), each indexed; dead
 * letters are indexed by event and by subject. `append_traced` is `append` with the two columns;
 * `append` stays for processes of the previous version until they are upgraded. Filling the
 * columns reads the whole events table once, and blocks appends meanwhile.
 */
export function migrationTrace(s: string): string {
  const q = `"${s}"`;
  return `
alter table ${q}.events add column correlation_id text, add column subject text;

-- A body's attribute, or null when the body is not JSON (or holds what text cannot: U+0000).
create function ${q}.body_attribute(p_body text, p_name text) returns text language plpgsql immutable as $fn$
begin
  return p_body::json ->> p_name;
exception when others then
  return null;
end
$fn$;
update ${q}.events set correlation_id = ${q}.body_attribute(body, 'correlationid'), subject = ${q}.body_attribute(body, 'subject');
drop function ${q}.body_attribute(text, text);

create index events_correlation on ${q}.events (correlation_id);
create index events_subject on ${q}.events (subject);
create index dead_letters_event on ${q}.dead_letters (event_id);
create index dead_letters_subject on ${q}.dead_letters (subject);

create function ${q}.append_traced(p_partitions int[], p_offsets int[], p_ids text[], p_sources text[], p_types text[], p_keys text[],
  p_bodies text, p_time bigint, p_correlations text[], p_subjects text[])
returns table (o_partition int, o_base bigint) language plpgsql as $fn$
begin
  -- Heads locked in partition order, as in append: appends cannot deadlock each other.
  perform 1 from ${q}.partitions h where h.partition <= (select max(u.p) from unnest(p_partitions) as u(p)) order by h.partition for update;
  return query
  with c as (select u.p, max(u.o) as n from unnest(p_partitions, p_offsets) as u(p, o) group by u.p),
  upd as (
    update ${q}.partitions h set head = h.head + c.n from c where h.partition = c.p
    returning h.partition as p, h.head - c.n as base),
  ins as (
    insert into ${q}.events (partition, sequence, id, source, type, key, time, body, correlation_id, subject)
    select i.p, upd.base + i.o, i.id, i.source, i.type, i.key, p_time, i.body, i.correlation, i.subject
    from unnest(p_partitions, p_offsets, p_ids, p_sources, p_types, p_keys, string_to_array(p_bodies, E'\\x1e'), p_correlations, p_subjects)
      as i(p, o, id, source, type, key, body, correlation, subject)
    join upd on upd.p = i.p)
  select upd.p, upd.base from upd;
  perform pg_notify('${channelOf(s)}', (select string_agg(distinct u.p::text, ',') from unnest(p_partitions) as u(p)));
end
$fn$;
`;
}
