import type { EngineAdmin } from '../core/engine.js';
import type { Envelope, NewEvent } from '../core/envelope.js';
import type {
  CommandDecision, CommandFilter, CommandRecord, ScheduledFilter, ScheduledRecord, WorkflowFilter, WorkflowHistoryRecord,
  WorkflowInstanceRecord, WorkflowStateCount,
} from '../core/process-store.js';

/**
 * The SQL of scheduled delivery, command outcomes and workflow instances, shared by both log
 * engines: plain statements that SQLite and PostgreSQL both run, with `?` placeholders (the
 * PostgreSQL engine numbers them). Each engine passes a query function bound to its transaction
 * or reader, and its table names.
 */
export type Query = (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

export interface ProcessTables {
  readonly scheduled: string;
  readonly commands: string;
  readonly workflows: string;
  readonly history: string;
}

const num = (v: unknown): number => Number(v);
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

export function toScheduled(r: Record<string, unknown>): ScheduledRecord {
  return {
    id: String(r.id), source: String(r.source), type: String(r.type), key: String(r.key), partition: num(r.partition),
    dueAt: num(r.due_at), createdAt: num(r.created_at), body: String(r.body),
  };
}

function toCommand(r: Record<string, unknown>): CommandRecord {
  const reason = opt(r.reason), group = opt(r.grp);
  return {
    id: String(r.id), source: String(r.source), type: String(r.type), key: String(r.key), sentAt: num(r.sent_at),
    status: String(r.status) as CommandRecord['status'],
    ...(reason !== undefined ? { reason } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(r.decided_at !== null && r.decided_at !== undefined ? { decidedAt: num(r.decided_at) } : {}),
  };
}

function toInstance(r: Record<string, unknown>): WorkflowInstanceRecord {
  return {
    name: String(r.name), key: String(r.key), state: String(r.state), done: num(r.done) === 1,
    data: JSON.parse(String(r.data)) as unknown,
    timers: JSON.parse(String(r.timers)) as WorkflowInstanceRecord['timers'],
    commands: JSON.parse(String(r.commands)) as string[],
    entries: num(r.entries), correlationId: String(r.correlation_id), startedAt: num(r.started_at), updatedAt: num(r.updated_at),
  };
}

function toHistory(r: Record<string, unknown>): WorkflowHistoryRecord {
  const detail = JSON.parse(String(r.detail)) as Pick<WorkflowHistoryRecord, 'emitted' | 'timersSet' | 'timersCancelled'>;
  const timer = opt(r.timer), from = opt(r.from_state), to = opt(r.to_state);
  return {
    name: String(r.name), key: String(r.key), n: num(r.n), at: num(r.at), kind: String(r.kind) as WorkflowHistoryRecord['kind'],
    eventId: String(r.event_id), eventType: String(r.event_type),
    ...(timer !== undefined ? { timer } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}),
    emitted: detail.emitted, timersSet: detail.timersSet, timersCancelled: detail.timersCancelled,
  };
}

/** The Tx methods of scheduling, commands and workflows on one transaction's `q`. */
export function processTx(q: Query, t: ProcessTables, now: () => number) {
  return {
    async schedule(events: readonly { event: { partition: number; envelope: { id: string; source: string; type: string; partitionkey: string }; json?: string }; dueAt: number }[]): Promise<void> {
      const at = now();
      for (const { event, dueAt } of events) {
        const e = event.envelope;
        await q(
          `insert into ${t.scheduled} (id, source, type, key, partition, due_at, created_at, body) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
          [e.id, e.source, e.type, e.partitionkey, event.partition, dueAt, at, event.json ?? JSON.stringify(e)],
        );
      }
    },
    async cancelScheduled(ids: readonly string[]): Promise<string[]> {
      const out: string[] = [];
      for (const id of ids) {
        const rows = await q(`delete from ${t.scheduled} where id = ? returning id`, [id]);
        if (rows.length === 0) continue;
        out.push(id);
        // A scheduled command that never went out has no outcome to wait for.
        await q(`delete from ${t.commands} where id = ? and status = 'pending'`, [id]);
      }
      return out;
    },
    async trackCommands(commands: readonly CommandRecord[]): Promise<void> {
      for (const c of commands) {
        await q(`insert into ${t.commands} (id, source, type, key, sent_at, status) values (?, ?, ?, ?, ?, 'pending') on conflict (id, source) do nothing`, [c.id, c.source, c.type, c.key, c.sentAt]);
      }
    },
    async decideCommand(d: CommandDecision): Promise<void> {
      await q(`update ${t.commands} set status = ?, reason = ?, grp = ?, decided_at = ? where id = ? and source = ? and status = 'pending'`, [d.status, d.reason ?? null, d.group, d.at, d.id, d.source]);
    },
    async loadInstance(name: string, key: string): Promise<WorkflowInstanceRecord | undefined> {
      const rows = await q(`select * from ${t.workflows} where name = ? and key = ?`, [name, key]);
      return rows[0] ? toInstance(rows[0]) : undefined;
    },
    async saveInstance(i: WorkflowInstanceRecord, h: WorkflowHistoryRecord): Promise<void> {
      await q(
        `insert into ${t.workflows} (name, key, state, done, data, timers, commands, entries, correlation_id, started_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (name, key) do update set state = excluded.state, done = excluded.done, data = excluded.data, timers = excluded.timers,
           commands = excluded.commands, entries = excluded.entries, updated_at = excluded.updated_at`,
        [i.name, i.key, i.state, i.done ? 1 : 0, JSON.stringify(i.data ?? null), JSON.stringify(i.timers), JSON.stringify(i.commands), i.entries, i.correlationId, i.startedAt, i.updatedAt],
      );
      await q(
        `insert into ${t.history} (name, key, n, at, kind, event_id, event_type, timer, from_state, to_state, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [h.name, h.key, h.n, h.at, h.kind, h.eventId, h.eventType, h.timer ?? null, h.from ?? null, h.to ?? null,
          JSON.stringify({ emitted: h.emitted, timersSet: h.timersSet, timersCancelled: h.timersCancelled })],
      );
    },
  };
}

/** The admin reads of scheduling, commands and workflows on a reader's `q`. */
export function processAdmin(q: Query, t: ProcessTables) {
  return {
    async scheduled(f: ScheduledFilter): Promise<ScheduledRecord[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.key !== undefined) {
        where.push('key = ?');
        params.push(f.key);
      }
      if (f.type !== undefined) {
        where.push('type = ?');
        params.push(f.type);
      }
      params.push(f.limit ?? 1000);
      return (await q(`select * from ${t.scheduled} ${where.length ? `where ${where.join(' and ')}` : ''} order by due_at, id limit ?`, params)).map(toScheduled);
    },
    async commands(f: CommandFilter): Promise<CommandRecord[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.ids !== undefined) {
        if (f.ids.length === 0) return [];
        where.push(`id in (${f.ids.map(() => '?').join(', ')})`);
        params.push(...f.ids);
      }
      if (f.status !== undefined) {
        where.push('status = ?');
        params.push(f.status);
      }
      if (f.type !== undefined) {
        where.push('type = ?');
        params.push(f.type);
      }
      params.push(f.limit ?? 1000);
      return (await q(`select * from ${t.commands} ${where.length ? `where ${where.join(' and ')}` : ''} order by sent_at, id limit ?`, params)).map(toCommand);
    },
    async workflows(f: WorkflowFilter): Promise<WorkflowInstanceRecord[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.name !== undefined) {
        where.push('name = ?');
        params.push(f.name);
      }
      if (f.state !== undefined) {
        where.push('state = ?');
        params.push(f.state);
      }
      if (f.running !== undefined) {
        where.push('done = ?');
        params.push(f.running ? 0 : 1);
      }
      params.push(f.limit ?? 1000);
      return (await q(`select * from ${t.workflows} ${where.length ? `where ${where.join(' and ')}` : ''} order by updated_at desc, name, key limit ?`, params)).map(toInstance);
    },
    async workflowCounts(): Promise<WorkflowStateCount[]> {
      const rows = await q(`select name, state, done, count(*) as n from ${t.workflows} group by name, state, done order by name, state`, []);
      return rows.map((r) => ({ name: String(r.name), state: String(r.state), done: num(r.done) === 1, count: num(r.n) }));
    },
    async workflow(name: string, key: string) {
      const rows = await q(`select * from ${t.workflows} where name = ? and key = ?`, [name, key]);
      if (!rows[0]) return undefined;
      const history = (await q(`select * from ${t.history} where name = ? and key = ? order by n`, [name, key])).map(toHistory);
      return { instance: toInstance(rows[0]), history };
    },
  };
}

/** Numbers `?` placeholders as `$1, $2...` for PostgreSQL (the shared statements hold no other `?`). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The admin methods this module provides; each engine's own admin gives the others. */
export type ProcessAdminKey = 'scheduled' | 'commands' | 'workflows' | 'workflowCounts' | 'workflow';
export type BaseAdmin = Omit<EngineAdmin, ProcessAdminKey>;

/** A scheduled event as it is appended at `now`: its envelope, with `time` set to the delivery time. */
export function dueEvent(r: ScheduledRecord, now: number): NewEvent {
  const envelope = { ...(JSON.parse(r.body) as Envelope), time: new Date(now).toISOString() };
  return { partition: r.partition, envelope, json: JSON.stringify(envelope) };
}
