import type Database from 'better-sqlite3';
import type { GroupStates, TraceReader } from '../flow-trace.js';
import type { EventRow } from '../rows.js';
import { traceColumn } from './schema.js';

type Read = <T>(what: string, fn: (db: Database.Database) => T) => Promise<T>;

const EVENT = 'select partition, sequence, id, source, type, key, body from factline_events';

/** The rows of `admin.trace` on SQLite: every lookup by primary key or index. */
export function sqliteTraceReader(read: Read, handlers: TraceReader['handlers']): TraceReader {
  return {
    byId: (id) => read('trace', (db) => db.prepare(`${EVENT} where id = ?`).all(id) as EventRow[]),
    byCorrelation: (ids, limit) =>
      read('trace', (db) => {
        const stmt = db.prepare(`${EVENT} where ${traceColumn('correlationid')} = ? order by time, partition, sequence limit ?`);
        return ids.flatMap((id) => stmt.all(id, limit) as EventRow[]).slice(0, limit);
      }),
    bySubject: (subject, limit) =>
      read('trace', (db) => db.prepare(`${EVENT} where ${traceColumn('subject')} = ? order by time, partition, sequence limit ?`).all(subject, limit) as EventRow[]),
    handlers,
    states: (groups, events) =>
      read('trace', (db): GroupStates => {
        const inbox = db.prepare('select grp, id, source, handled_at from factline_inbox where grp = ? and id = ? and source = ?');
        const parked = db.prepare('select grp, partition, sequence, key, id, state, attempts, next_attempt_at, errors from factline_parked where grp = ? and partition = ? and sequence = ?');
        const keyHead = db.prepare('select grp, partition, sequence, key, id, state, attempts, next_attempt_at, errors from factline_parked where grp = ? and partition = ? and key = ? and sequence < ? order by sequence limit 1');
        const dead = db.prepare('select id, grp, event_id, event_source, status, created_at, reason from factline_dead_letters where event_id = ?');
        const position = db.prepare('select grp, partition, position from factline_positions where grp = ? and partition = ?');
        const out: { inbox: unknown[]; parked: unknown[]; deadLetters: unknown[]; positions: unknown[] } = { inbox: [], parked: [], deadLetters: [], positions: [] };
        const partitions = new Set(events.map((e) => e.partition));
        for (const g of groups) {
          for (const p of partitions) {
            const row = position.get(g, p);
            if (row) out.positions.push(row);
          }
          for (const e of events) {
            const i = inbox.get(g, e.id, e.source);
            if (i) out.inbox.push(i);
            const k = parked.get(g, e.partition, e.sequence) as { key: string } | undefined;
            if (k) {
              out.parked.push(k);
              const head = keyHead.get(g, e.partition, k.key, e.sequence);
              if (head) out.parked.push(head);
            }
          }
        }
        for (const id of new Set(events.map((e) => e.id))) out.deadLetters.push(...dead.all(id));
        return out as unknown as GroupStates;
      }),
  };
}
