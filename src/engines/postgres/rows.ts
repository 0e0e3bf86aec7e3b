import type { AttemptError, DeadLetterRecord, LogRecord, ParkedRecord } from '../../core/engine.js';
import { formatSequence } from '../../core/envelope.js';

/** Row shapes of the PostgreSQL tables (bigint columns arrive as strings) and their mapping. */
export interface EventRow {
  partition: number;
  sequence: string | number;
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
  next_attempt_at: string | number;
  errors: string;
}

export interface DeadLetterRow {
  id: string;
  grp: string;
  partition: number;
  sequence: string | number;
  key: string;
  event_id: string;
  event_source: string;
  event_type: string;
  subject: string;
  body: string;
  reason: string;
  errors: string;
  strict: boolean;
  status: DeadLetterRecord['status'];
  created_at: string | number;
  resolved_at: string | number | null;
  resolved_by: string | null;
  resolution: string | null;
  history: string;
}

/** A record whose body is stored whole (parked rows, dead letters). */
export function toLogRecord(row: EventRow): LogRecord {
  return { partition: row.partition, sequence: Number(row.sequence), id: row.id, source: row.source, type: row.type, key: row.key, body: row.body };
}

/** A row of the events table: its body lacks the `sequence` attribute, added here. */
export function toEventRecord(row: EventRow): LogRecord {
  const sequence = Number(row.sequence);
  return { partition: row.partition, sequence, id: row.id, source: row.source, type: row.type, key: row.key, body: withSequence(row.body, sequence) };
}

/** The envelope JSON with its `sequence` extension attribute, as the other engines store it. */
export function withSequence(body: string, sequence: number): string {
  return `${body.slice(0, -1)},"sequence":"${formatSequence(sequence)}"}`;
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
    strict: row.strict,
    status: row.status,
    createdAt: Number(row.created_at),
    ...(row.resolved_at !== null ? { resolvedAt: Number(row.resolved_at) } : {}),
    ...(row.resolved_by !== null ? { resolvedBy: row.resolved_by } : {}),
    ...(row.resolution !== null ? { resolution: row.resolution } : {}),
    history: JSON.parse(row.history) as DeadLetterRecord['history'],
  };
}

/** Parked rows as the column arrays of one `unnest` insert. */
export function parkedArrays(rows: readonly ParkedRecord[]): unknown[] {
  return [
    rows.map((p) => p.group), rows.map((p) => p.partition), rows.map((p) => p.sequence), rows.map((p) => p.key),
    rows.map((p) => p.state), rows.map((p) => p.attempts), rows.map((p) => p.nextAttemptAt), rows.map((p) => JSON.stringify(p.errors)),
    rows.map((p) => p.record.id), rows.map((p) => p.record.source), rows.map((p) => p.record.type), rows.map((p) => p.record.body),
  ];
}

/** Dead letters as the column arrays of one `unnest` insert. */
export function deadLetterArrays(rows: readonly DeadLetterRecord[]): unknown[] {
  return [
    rows.map((d) => d.id), rows.map((d) => d.group), rows.map((d) => d.partition), rows.map((d) => d.sequence), rows.map((d) => d.key),
    rows.map((d) => d.eventId), rows.map((d) => d.eventSource), rows.map((d) => d.eventType), rows.map((d) => d.subject),
    rows.map((d) => d.body), rows.map((d) => d.reason), rows.map((d) => JSON.stringify(d.errors)), rows.map((d) => d.strict),
    rows.map((d) => d.status), rows.map((d) => d.createdAt), rows.map((d) => d.resolvedAt ?? null), rows.map((d) => d.resolvedBy ?? null),
    rows.map((d) => d.resolution ?? null), rows.map((d) => JSON.stringify(d.history)),
  ];
}
