import type { DeadLetterRecord, LogRecord, ParkedRecord } from '../../core/engine.js';
import { bodyWithSequence, formatSequence } from '../../core/envelope.js';
import type { EventRow } from '../rows.js';

/** A row of the events table: its body lacks the `sequence` attribute, added here. */
export function toEventRecord(row: EventRow): LogRecord {
  const sequence = Number(row.sequence);
  return { partition: row.partition, sequence, id: row.id, source: row.source, type: row.type, key: row.key, body: withSequence(row.body, sequence) };
}

/** The envelope JSON with its `sequence` extension attribute, as the other engines store it. */
export function withSequence(body: string, sequence: number): string {
  return bodyWithSequence(body, formatSequence(sequence));
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
