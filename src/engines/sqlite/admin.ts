import type Database from 'better-sqlite3';
import type { DeadLetterFilter, DeadLetterRecord, EventWindow, LogRecord, PartitionStatus, Resolution, TimedRecord } from '../../core/engine.js';
import type { BaseAdmin } from '../process-sql.js';
import { FactlineError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { schemaProducersOf, schemasOf } from './schema-registry.js';
import { traceFlow } from '../flow-trace.js';
import { sqliteTraceReader } from './trace-reader.js';
import { rewindGroup } from './rewind.js';
import { checkRewind } from '../rewind-plan.js';
import { traceColumn } from './schema.js';
import { toDeadLetter, toHandlerDeclaration, toLogRecord, type DeadLetterRow, type EventRow, type HandlerRow } from '../rows.js';

/**
 * How admin reaches the file: `read` runs on the reader connection (committed data only), `write`
 * in a write transaction of the engine (under its lock, with its checks); both turn driver errors
 * into StoreErrors.
 */
export interface AdminAccess {
  read<T>(what: string, fn: (reader: Database.Database) => T): Promise<T>;
  write<T>(what: string, fn: (db: Database.Database) => T): Promise<T>;
}

function requireOpen(db: Database.Database, id: string): DeadLetterRecord {
  const row = db.prepare('select * from factline_dead_letters where id = ?').get(id) as DeadLetterRow | undefined;
  if (!row) throw new FactlineError('NOT_FOUND', `no dead letter with id ${id}`);
  const dl = toDeadLetter(row);
  if (dl.status !== 'open') {
    throw new FactlineError('ALREADY_RESOLVED', `dead letter ${id} is already ${dl.status} (${dl.resolvedAt ? new Date(dl.resolvedAt).toISOString() : '?'} by ${dl.resolvedBy ?? '?'}); nothing changed`);
  }
  return dl;
}

function resolve(db: Database.Database, dl: DeadLetterRecord, action: 'replayed' | 'discarded', res: Resolution, now: number): DeadLetterRecord {
  const history = [...dl.history, { action, at: now, by: res.by, why: res.why }];
  db.prepare('update factline_dead_letters set status = ?, resolved_at = ?, resolved_by = ?, resolution = ?, history = ? where id = ?')
    .run(action, now, res.by, res.why, JSON.stringify(history), dl.id);
  return { ...dl, status: action, resolvedAt: now, resolvedBy: res.by, resolution: res.why, history };
}

/** Dead letters, lag and lookups over the SQLite tables. */
export function sqliteAdmin(access: AdminAccess, partitions: number, clock: Clock): BaseAdmin {
  const { read, write } = access;

  const admin: BaseAdmin = {
    async listDeadLetters(filter: DeadLetterFilter) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        where.push(clause);
        params.push(value);
      };
      if (filter.group) add('grp = ?', filter.group);
      if (filter.type) add('event_type = ?', filter.type);
      if (filter.subject) add('subject = ?', filter.subject);
      if (filter.status) add('status = ?', filter.status);
      const sql = `select * from factline_dead_letters ${where.length ? `where ${where.join(' and ')}` : ''} order by created_at, id limit ?`;
      params.push(filter.limit ?? 1000);
      return read('listDeadLetters', (db) => (db.prepare(sql).all(...params) as DeadLetterRow[]).map(toDeadLetter));
    },

    getDeadLetter: (id) =>
      read('getDeadLetter', (db) => {
        const row = db.prepare('select * from factline_dead_letters where id = ?').get(id) as DeadLetterRow | undefined;
        return row ? toDeadLetter(row) : undefined;
      }),

    replayDeadLetter: (id, res) =>
      write('replayDeadLetter', (db) => {
        const dl = requireOpen(db, id);
        const now = clock.now();
        const event = JSON.parse(JSON.stringify({ id: dl.eventId, source: dl.eventSource, type: dl.eventType }));
        // The event goes back to its group only, as the head of its key's parked events (in sequence order).
        db.prepare(
          `insert into factline_parked (grp, partition, sequence, key, state, attempts, next_attempt_at, errors, id, source, type, body)
           values (?, ?, ?, ?, 'retrying', 0, ?, '[]', ?, ?, ?, ?)
           on conflict (grp, partition, sequence) do update set state = 'retrying', attempts = 0, next_attempt_at = excluded.next_attempt_at, errors = '[]'`,
        ).run(dl.group, dl.partition, dl.sequence, dl.key, now, event.id, event.source, event.type, dl.body);
        return resolve(db, dl, 'replayed', res, now);
      }),

    discardDeadLetter: (id, res) =>
      write('discardDeadLetter', (db) => {
        const dl = requireOpen(db, id);
        // In strict mode the key was held behind this event: release it.
        db.prepare("delete from factline_parked where grp = ? and partition = ? and sequence = ? and state = 'held'").run(dl.group, dl.partition, dl.sequence);
        return resolve(db, dl, 'discarded', res, clock.now());
      }),

    status: (): Promise<PartitionStatus[]> => read('status', (db) => statusOf(db)),

    heads: () =>
      read('heads', (db) => {
        const rows = db.prepare('select partition, head from factline_partitions order by partition').all() as { partition: number; head: number }[];
        const out = new Array<number>(partitions).fill(0);
        for (const r of rows) out[r.partition] = r.head;
        return out;
      }),

    findEvent: (id): Promise<LogRecord | undefined> =>
      read('findEvent', (db) => {
        const row = db.prepare('select partition, sequence, id, source, type, key, body from factline_events where id = ? limit 1').get(id) as EventRow | undefined;
        return row ? toLogRecord(row) : undefined;
      }),

    openDeadLetterCounts: () =>
      read('openDeadLetterCounts', (db) =>
        (db.prepare("select grp, count(*) as n, min(created_at) as oldest from factline_dead_letters where status = 'open' group by grp order by grp").all() as { grp: string; n: number; oldest: number }[])
          .map((r) => ({ group: r.grp, open: Number(r.n), oldestAt: Number(r.oldest) }))),

    eventsBefore: (w: EventWindow): Promise<TimedRecord[]> =>
      read('eventsBefore', (db) => {
        const where = ['partition = ?', 'sequence < ?', 'sequence >= ?'];
        const params: unknown[] = [w.partition, w.before, w.from];
        if (w.type !== undefined) {
          where.push('type = ?');
          params.push(w.type);
        }
        if (w.subject !== undefined) {
          // The same expression as the subject index, so that the lookup can use it.
          where.push(`${traceColumn('subject')} = ?`);
          params.push(w.subject);
        }
        params.push(w.limit);
        const rows = db.prepare(`select partition, sequence, id, source, type, key, time, body from factline_events where ${where.join(' and ')} order by sequence desc limit ?`)
          .all(...params) as (EventRow & { time: number })[];
        return rows.map((row) => ({ ...toLogRecord(row), time: Number(row.time) }));
      }),

    eventTime: (partition, sequence) =>
      read('eventTime', (db) => {
        const row = db.prepare('select time from factline_events where partition = ? and sequence = ?').get(partition, sequence) as { time: number } | undefined;
        return row ? Number(row.time) : undefined;
      }),

    handlers: () =>
      read('handlers', (db) => {
        // A log written before the table existed, opened read-only: no declarations yet.
        if (!db.prepare("select 1 from sqlite_master where type = 'table' and name = 'factline_handlers'").get()) return [];
        return (db.prepare('select * from factline_handlers order by grp, type, version').all() as HandlerRow[]).map(toHandlerDeclaration);
      }),

    schemas: () => read('schemas', schemasOf),

    schemaProducers: () => read('schemaProducers', schemaProducersOf),
    trace: (query, options) => traceFlow(sqliteTraceReader(read, () => admin.handlers()), query, options),

    rewindGroup: async (group, to, options = {}) => {
      checkRewind(to, options, partitions);
      return write('rewindGroup', (db) => rewindGroup(db, group, to, options, partitions, clock.now()));
    },
  };
  return admin;
}

/** Position, head, oldest unhandled event, parked count and owner of every group and partition. */
function statusOf(db: Database.Database): PartitionStatus[] {
  const rows = db.prepare(
    `select p.grp, p.partition, p.position, h.head,
       (select e.time from factline_events e where e.partition = p.partition and e.sequence = p.position + 1) as next_time,
       (select min(e.time) from factline_parked k join factline_events e on e.partition = k.partition and e.sequence = k.sequence
          where k.grp = p.grp and k.partition = p.partition) as parked_time,
       (select count(*) from factline_parked k where k.grp = p.grp and k.partition = p.partition) as parked,
           (select count(distinct k.key) from factline_parked k where k.grp = p.grp and k.partition = p.partition and k.state <> 'waiting') as parked_keys,
           (select count(*) from factline_parked k where k.grp = p.grp and k.partition = p.partition and k.state = 'retrying') as retrying,
       (select l.member from factline_leases l where l.grp = p.grp and l.partition = p.partition) as owner
     from (
       -- every partition of every known group; a partition the group has not committed in yet is at 0
       select g.grp, h.partition, coalesce(s.position, 0) as position
       from (select grp from factline_positions union select grp from factline_members union select grp from factline_leases) g
       cross join factline_partitions h
       left join factline_positions s on s.grp = g.grp and s.partition = h.partition
     ) p join factline_partitions h on h.partition = p.partition
     order by p.grp, p.partition`,
  ).all() as { grp: string; partition: number; position: number; head: number; next_time: number | null; parked_time: number | null; parked: number; parked_keys: number; retrying: number; owner: string | null }[];
  return rows.map((row) => {
    const times = [row.next_time, row.parked_time].filter((t): t is number => t !== null);
    return {
      group: row.grp,
      partition: row.partition,
      position: row.position,
      head: row.head,
      parked: row.parked,
      parkedKeys: row.parked_keys,
      retrying: row.retrying,
      ...(times.length ? { oldestUnhandledAt: Math.min(...times) } : {}),
      ...(row.owner ? { owner: row.owner } : {}),
    };
  });
}
