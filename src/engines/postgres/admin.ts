import type { DeadLetterFilter, DeadLetterRecord, EventWindow, LogRecord, PartitionStatus, Resolution, TimedRecord } from '../../core/engine.js';
import type { BaseAdmin } from '../process-sql.js';
import { FactlineError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { traceColumn } from './migration-trace.js';
import { toEventRecord } from './rows.js';
import { traceFlow } from '../flow-trace.js';
import { postgresTraceReader } from './trace-reader.js';
import { rewindGroup } from './rewind.js';
import { checkRewind } from '../rewind-plan.js';
import { toDeadLetter, toHandlerDeclaration, type DeadLetterRow, type EventRow, type HandlerRow } from '../rows.js';
import type { PgPoolClient } from './types.js';
import { toSchemaProducer, toSchemaRecord, type SchemaProducerRow, type SchemaRow } from '../schema-rows.js';

/** Runs `fn` on a pooled connection, in a transaction when `tx` is true. */
export type WithClient = <T>(what: string, tx: boolean, fn: (c: PgPoolClient) => Promise<T>) => Promise<T>;

async function requireOpen(c: PgPoolClient, schema: string, id: string): Promise<DeadLetterRecord> {
  // Locks the row: of two concurrent replays or discards, the second sees the first's outcome.
  const res = await c.query(`select * from "${schema}".dead_letters where id = $1 for update`, [id]);
  const row = res.rows[0] as DeadLetterRow | undefined;
  if (!row) throw new FactlineError('NOT_FOUND', `no dead letter with id ${id}`);
  const dl = toDeadLetter(row);
  if (dl.status !== 'open') {
    throw new FactlineError('ALREADY_RESOLVED', `dead letter ${id} is already ${dl.status} (${dl.resolvedAt ? new Date(dl.resolvedAt).toISOString() : '?'} by ${dl.resolvedBy ?? '?'}); nothing changed`);
  }
  return dl;
}

async function resolve(c: PgPoolClient, schema: string, dl: DeadLetterRecord, action: 'replayed' | 'discarded', res: Resolution, now: number): Promise<DeadLetterRecord> {
  const history = [...dl.history, { action, at: now, by: res.by, why: res.why }];
  await c.query(`update "${schema}".dead_letters set status = $1, resolved_at = $2, resolved_by = $3, resolution = $4, history = $5 where id = $6`,
    [action, now, res.by, res.why, JSON.stringify(history), dl.id]);
  return { ...dl, status: action, resolvedAt: now, resolvedBy: res.by, resolution: res.why, history };
}

/** Dead letters, lag and lookups over the PostgreSQL tables; same semantics as the SQLite engine's. */
export function postgresAdmin(withClient: WithClient, schema: string, partitions: () => number, clock: Clock): BaseAdmin {
  const q = `"${schema}"`;
  const read = async <R>(text: string, values: unknown[] = []): Promise<R[]> =>
    withClient('admin', false, async (c) => (await c.query(text, values)).rows as R[]);

  const admin: BaseAdmin = {
    async listDeadLetters(filter: DeadLetterFilter) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (column: string, value: unknown) => {
        params.push(value);
        where.push(`${column} = $${params.length}`);
      };
      if (filter.group) add('grp', filter.group);
      if (filter.type) add('event_type', filter.type);
      if (filter.subject) add('subject', filter.subject);
      if (filter.status) add('status', filter.status);
      params.push(filter.limit ?? 1000);
      const sql = `select * from ${q}.dead_letters ${where.length ? `where ${where.join(' and ')}` : ''} order by created_at, id limit $${params.length}`;
      return (await read<DeadLetterRow>(sql, params)).map(toDeadLetter);
    },

    async getDeadLetter(id) {
      const [row] = await read<DeadLetterRow>(`select * from ${q}.dead_letters where id = $1`, [id]);
      return row ? toDeadLetter(row) : undefined;
    },

    replayDeadLetter: (id, res) =>
      withClient('replay dead letter', true, async (c) => {
        const dl = await requireOpen(c, schema, id);
        const now = clock.now();
        // The event goes back to its group only, as the head of its key's parked events (in sequence order).
        await c.query(
          `insert into ${q}.parked (grp, partition, sequence, key, state, attempts, next_attempt_at, errors, id, source, type, body)
           values ($1, $2, $3, $4, 'retrying', 0, $5, '[]', $6, $7, $8, $9)
           on conflict (grp, partition, sequence) do update set state = 'retrying', attempts = 0, next_attempt_at = excluded.next_attempt_at, errors = '[]'`,
          [dl.group, dl.partition, dl.sequence, dl.key, now, dl.eventId, dl.eventSource, dl.eventType, dl.body],
        );
        return resolve(c, schema, dl, 'replayed', res, now);
      }),

    discardDeadLetter: (id, res) =>
      withClient('discard dead letter', true, async (c) => {
        const dl = await requireOpen(c, schema, id);
        // In strict mode the key was held behind this event: release it.
        await c.query(`delete from ${q}.parked where grp = $1 and partition = $2 and sequence = $3 and state = 'held'`, [dl.group, dl.partition, dl.sequence]);
        return resolve(c, schema, dl, 'discarded', res, clock.now());
      }),

    async status(): Promise<PartitionStatus[]> {
      const rows = await read<{
        grp: string; partition: number; position: string; head: string; next_time: string | null; parked_time: string | null; parked: number; parked_keys: number; retrying: number; owner: string | null;
      }>(
        `select p.grp, p.partition, p.position, h.head,
           (select e.time from ${q}.events e where e.partition = p.partition and e.sequence = p.position + 1) as next_time,
           (select min(e.time) from ${q}.parked k join ${q}.events e on e.partition = k.partition and e.sequence = k.sequence
              where k.grp = p.grp and k.partition = p.partition) as parked_time,
           (select count(*)::int from ${q}.parked k where k.grp = p.grp and k.partition = p.partition) as parked,
           (select count(distinct k.key)::int from ${q}.parked k where k.grp = p.grp and k.partition = p.partition and k.state <> 'waiting') as parked_keys,
           (select count(*)::int from ${q}.parked k where k.grp = p.grp and k.partition = p.partition and k.state = 'retrying') as retrying,
           (select l.member from ${q}.leases l where l.grp = p.grp and l.partition = p.partition) as owner
         from (
           -- every partition of every known group; a partition the group has not committed in yet is at 0
           select g.grp, h.partition, coalesce(s.position, 0) as position
           from (select grp from ${q}.positions union select grp from ${q}.members union select grp from ${q}.leases) g
           cross join ${q}.partitions h
           left join ${q}.positions s on s.grp = g.grp and s.partition = h.partition
         ) p join ${q}.partitions h on h.partition = p.partition
         order by p.grp, p.partition`,
      );
      return rows.map((row) => {
        const times = [row.next_time, row.parked_time].filter((t): t is string => t !== null).map(Number);
        return {
          group: row.grp,
          partition: row.partition,
          position: Number(row.position),
          head: Number(row.head),
          parked: row.parked,
          parkedKeys: row.parked_keys,
          retrying: row.retrying,
          ...(times.length ? { oldestUnhandledAt: Math.min(...times) } : {}),
          ...(row.owner ? { owner: row.owner } : {}),
        };
      });
    },

    async heads() {
      const rows = await read<{ partition: number; head: string }>(`select partition, head from ${q}.partitions order by partition`);
      const out = new Array<number>(partitions()).fill(0);
      for (const r of rows) out[r.partition] = Number(r.head);
      return out;
    },

    async findEvent(id): Promise<LogRecord | undefined> {
      const [row] = await read<EventRow>(`select partition, sequence, id, source, type, key, body from ${q}.events where id = $1 limit 1`, [id]);
      return row ? toEventRecord(row) : undefined;
    },

    async openDeadLetterCounts() {
      const rows = await read<{ grp: string; n: string; oldest: string }>(
        `select grp, count(*) as n, min(created_at) as oldest from ${q}.dead_letters where status = 'open' group by grp order by grp`,
      );
      return rows.map((r) => ({ group: r.grp, open: Number(r.n), oldestAt: Number(r.oldest) }));
    },

    async eventsBefore(w: EventWindow): Promise<TimedRecord[]> {
      const params: unknown[] = [w.partition, w.before, w.from];
      const where = ['partition = $1', 'sequence < $2', 'sequence >= $3'];
      if (w.type !== undefined) {
        params.push(w.type);
        where.push(`type = $${params.length}`);
      }
      if (w.subject !== undefined) {
        params.push(w.subject);
        where.push(`${traceColumn('subject')} = $${params.length}`);
      }
      params.push(w.limit);
      const rows = await read<EventRow & { time: string }>(
        `select partition, sequence, id, source, type, key, time, body from ${q}.events where ${where.join(' and ')} order by sequence desc limit $${params.length}`,
        params,
      );
      return rows.map((row) => ({ ...toEventRecord(row), time: Number(row.time) }));
    },

    async eventTime(partition, sequence) {
      const [row] = await read<{ time: string }>(`select time from ${q}.events where partition = $1 and sequence = $2`, [partition, sequence]);
      return row ? Number(row.time) : undefined;
    },

    async handlers() {
      return (await read<HandlerRow>(`select * from ${q}.handlers order by grp, type, version`)).map(toHandlerDeclaration);
    },

    async schemas() {
      return (await read<SchemaRow>(`select * from ${q}.schemas order by type, version`)).map(toSchemaRecord);
    },

    async schemaProducers() {
      return (await read<SchemaProducerRow>(`select * from ${q}.schema_producers order by type, version, source`)).map(toSchemaProducer);
    },

    trace: (query, options) => traceFlow(postgresTraceReader(read, schema, () => admin.handlers()), query, options),

    async rewindGroup(group, to, options = {}) {
      checkRewind(to, options, partitions());
      return withClient('rewind group', true, (c) => rewindGroup(c, schema, group, to, options, partitions(), clock.now()));
    },
  };
  return admin;
}
