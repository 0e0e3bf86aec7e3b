import type { AttemptError, DeadLetterRecord, LogRecord, ParkedRecord } from '../../core/engine.js';

/** Row shapes of the SQLite tables and their mapping to the engine port's records. */
export interface EventRow {
  partition: number;
  sequence: number;
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
  next_attempt_at: number;
  errors: string;
}

export interface DeadLetterRow {
  id: string;
  grp: string;
  partition: number;
  sequence: number;
  key: string;
  event_id: string;
  event_source: string;
  event_type: string;
  subject: string;
  body: string;
  reason: string;
  errors: string;
  strict: number;
  status: DeadLetterRecord['status'];
  created_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
  resolution: string | null;
  history: string;
}

export function toLogRecord(row: EventRow): LogRecord {
  return { partition: row.partition, sequence: row.sequence, id: row.id, source: row.source, type: row.type, key: row.key, body: row.body };
}

export function toParked(row: ParkedRow): ParkedRecord {
  return {
    group: row.grp,
    partition: row.partition,
    sequence: row.sequence,
    key: row.key,
    record: toLogRecord(row),
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    errors: JSON.parse(row.errors) as AttemptError[],
  };
}

export function parkedParams(p: ParkedRecord): unknown[] {
  return [p.group, p.partition, p.sequence, p.key, p.state, p.attempts, p.nextAttemptAt, JSON.stringify(p.errors), p.record.id, p.record.source, p.record.type, p.record.body];
}

export function toDeadLetter(row: DeadLetterRow): DeadLetterRecord {
  return {
    id: row.id,
    group: row.grp,
    partition: row.partition,
    sequence: row.sequence,
    key: row.key,
    eventId: row.event_id,
    eventSource: row.event_source,
    eventType: row.event_type,
    subject: row.subject,
    body: row.body,
    reason: row.reason,
    errors: JSON.parse(row.errors) as AttemptError[],
    strict: row.strict === 1,
    status: row.status,
    createdAt: row.created_at,
    ...(row.resolved_at !== null ? { resolvedAt: row.resolved_at } : {}),
    ...(row.resolved_by !== null ? { resolvedBy: row.resolved_by } : {}),
    ...(row.resolution !== null ? { resolution: row.resolution } : {}),
    history: JSON.parse(row.history) as DeadLetterRecord['history'],
  };
}

export function deadLetterParams(d: DeadLetterRecord): unknown[] {
  return [
    d.id, d.group, d.partition, d.sequence, d.key, d.eventId, d.eventSource, d.eventType, d.subject, d.body, d.reason,
    JSON.stringify(d.errors), d.strict ? 1 : 0, d.status, d.createdAt, d.resolvedAt ?? null, d.resolvedBy ?? null,
    d.resolution ?? null, JSON.stringify(d.history),
  ];
}
