import type { AttemptError, DeadLetterRecord, HandlerDeclaration, LogRecord, ParkedRecord } from '../core/engine.js';

/**
 * Row shapes of the tables every log engine keeps (events, parked, dead letters) and their
 * mapping to the engine port's records. Drivers differ in how numbers arrive (PostgreSQL sends
 * bigint as text) and booleans (SQLite stores 0/1), so both forms are accepted.
 */
type Int = number | string;

export interface EventRow {
  partition: number;
  sequence: Int;
  id: string;
  source: string;
  type: string;
  key: string;
  body: string;
}

export interface ParkedRow extends EventRow {
  grp: string;
  state: ParkedRecord['state'];
  attempts: number;
  next_attempt_at: Int;
  errors: string;
}

export interface DeadLetterRow {
  id: string;
  grp: string;
  partition: number;
  sequence: Int;
  key: string;
  event_id: string;
  event_source: string;
  event_type: string;
  subject: string;
  body: string;
  reason: string;
  errors: string;
  strict: boolean | number;
  status: DeadLetterRecord['status'];
  created_at: Int;
  resolved_at: Int | null;
  resolved_by: string | null;
  resolution: string | null;
  history: string;
}

export function toLogRecord(row: EventRow): LogRecord {
  return { partition: row.partition, sequence: Number(row.sequence), id: row.id, source: row.source, type: row.type, key: row.key, body: row.body };
}

export function toParked(row: ParkedRow): ParkedRecord {
  return {
    group: row.grp,
    partition: row.partition,
    sequence: Number(row.sequence),
    key: row.key,
    record: toLogRecord(row),
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    errors: JSON.parse(row.errors) as AttemptError[],
  };
}

export function toDeadLetter(row: DeadLetterRow): DeadLetterRecord {
  return {
    id: row.id,
    group: row.grp,
    partition: row.partition,
    sequence: Number(row.sequence),
    key: row.key,
    eventId: row.event_id,
    eventSource: row.event_source,
    eventType: row.event_type,
    subject: row.subject,
    body: row.body,
    reason: row.reason,
    errors: JSON.parse(row.errors) as AttemptError[],
    strict: Boolean(row.strict),
    status: row.status,
    createdAt: Number(row.created_at),
    ...(row.resolved_at !== null ? { resolvedAt: Number(row.resolved_at) } : {}),
    ...(row.resolved_by !== null ? { resolvedBy: row.resolved_by } : {}),
    ...(row.resolution !== null ? { resolution: row.resolution } : {}),
    history: JSON.parse(row.history) as DeadLetterRecord['history'],
  };
}

/** A row of the handler declarations table, as both engines store it. */
export interface HandlerRow {
  grp: string;
  type: string;
  version: number | string;
  kind: string;
  member: string;
  declared_at: number | string;
  seen_at: number | string;
}

export function toHandlerDeclaration(row: HandlerRow): HandlerDeclaration {
  return {
    group: row.grp,
    type: row.type,
    version: Number(row.version),
    kind: row.kind === 'command' ? 'command' : 'event',
    member: row.member,
    declaredAt: Number(row.declared_at),
    seenAt: Number(row.seen_at),
  };
}
