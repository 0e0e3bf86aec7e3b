import type { GroupStates, TraceReader } from '../flow-trace.js';
import type { EventRow } from '../rows.js';
import { traceColumn } from './migration-trace.js';

type Read = <R>(text: string, values?: unknown[]) => Promise<R[]>;

/** The rows of `admin.trace` on PostgreSQL: a few set-based queries, each by primary key or index. */
export function postgresTraceReader(read: Read, schema: string, handlers: TraceReader['handlers']): TraceReader {
  const q = `"${schema}"`;
  const event = `select partition, sequence, id, source, type, key, body from ${q}.events`;
  return {
    byId: (id) => read<EventRow>(`${event} where id = $1`, [id]),
    byCorrelation: (ids, limit) =>
      read<EventRow>(`${event} where ${traceColumn('correlationid')} = any($1::text[]) order by time, partition, sequence limit $2`, [ids, limit]),
    bySubject: (subject, limit) => read<EventRow>(`${event} where ${traceColumn('subject')} = $1 order by time, partition, sequence limit $2`, [subject, limit]),
    handlers,
    async states(groups, events): Promise<GroupStates> {
      const parts = events.map((e) => e.partition);
      const seqs = events.map((e) => String(e.sequence));
      const [inbox, parked, deadLetters, positions] = await Promise.all([
        read<GroupStates['inbox'][number]>(
          `select i.grp, i.id, i.source, i.handled_at from ${q}.inbox i
           join unnest($1::text[]) as g(grp) on i.grp = g.grp
           join unnest($2::text[], $3::text[]) as e(id, source) on i.id = e.id and i.source = e.source`,
          [groups, events.map((e) => e.id), events.map((e) => e.source)],
        ),
        // The events' own parked rows, and the first parked row of each of their keys before them.
        read<GroupStates['parked'][number]>(
          `with own as (
             select k.* from ${q}.parked k
             join unnest($1::text[]) as g(grp) on k.grp = g.grp
             join unnest($2::int[], $3::bigint[]) as e(partition, sequence) on k.partition = e.partition and k.sequence = e.sequence)
           select grp, partition, sequence, key, id, state, attempts, next_attempt_at, errors from own
           union
           select h.grp, h.partition, h.sequence, h.key, h.id, h.state, h.attempts, h.next_attempt_at, h.errors
           from own o cross join lateral (
             select * from ${q}.parked x where x.grp = o.grp and x.partition = o.partition and x.key = o.key and x.sequence < o.sequence
             order by x.sequence limit 1) h`,
          [groups, parts, seqs],
        ),
        read<GroupStates['deadLetters'][number]>(
          `select id, grp, event_id, event_source, status, created_at, reason from ${q}.dead_letters where event_id = any($1::text[])`,
          [[...new Set(events.map((e) => e.id))]],
        ),
        read<GroupStates['positions'][number]>(
          `select grp, partition, position from ${q}.positions where grp = any($1::text[]) and partition = any($2::int[])`,
          [groups, [...new Set(parts)]],
        ),
      ]);
      return { inbox, parked, deadLetters, positions };
    },
  };
}
