import type { DeadLetterRecord, ParkedRecord } from '../../core/engine.js';

/** Statement parameters of the SQLite tables (row mapping is shared: ../rows.ts). */
export function parkedParams(p: ParkedRecord): unknown[] {
  return [p.group, p.partition, p.sequence, p.key, p.state, p.attempts, p.nextAttemptAt, JSON.stringify(p.errors), p.record.id, p.record.source, p.record.type, p.record.body];
}

export function deadLetterParams(d: DeadLetterRecord): unknown[] {
  return [
    d.id, d.group, d.partition, d.sequence, d.key, d.eventId, d.eventSource, d.eventType, d.subject, d.body, d.reason,
    JSON.stringify(d.errors), d.strict ? 1 : 0, d.status, d.createdAt, d.resolvedAt ?? null, d.resolvedBy ?? null,
    d.resolution ?? null, JSON.stringify(d.history),
  ];
}
