import type { DeadLetterRecord, LogRecord } from '../core/engine.js';
import type { Envelope } from '../core/envelope.js';
import type { FailureChanges } from './failure-changes.js';
import type { GroupSettings } from './settings.js';

/**
 * The fields of a failure's log line: the event (id, type, subject, correlation id), the group, the
 * key and, with tracing, the flow's trace id (from the event's traceparent). Runs on failures only.
 */
function failureFields(s: GroupSettings, rec: LogRecord, attempt: number): Record<string, unknown> {
  let e: Partial<Envelope> = {};
  try {
    e = JSON.parse(rec.body) as Partial<Envelope>;
  } catch {
    // A malformed body still gets a line, with what the row says.
  }
  const fields: Record<string, unknown> = { eventId: rec.id, eventType: rec.type, subject: e.subject, correlationId: e.correlationid, group: s.name, attempt, key: rec.key };
  if (s.telemetry?.tracing && typeof e.traceparent === 'string') fields.traceId = e.traceparent.slice(3, 35);
  return fields;
}

/** Logs a failed attempt that will be retried (warn), with the event, key, attempt and delay. */
export function logFailure(s: GroupSettings, rec: LogRecord, changes: FailureChanges, attempt: number): void {
  if (changes.retryInMs === undefined) return;
  s.telemetry?.metrics?.retried(s.name, rec.type);
  const last = changes.park?.errors[changes.park.errors.length - 1];
  s.logger.warn(
    { ...failureFields(s, rec, attempt), retryInMs: changes.retryInMs, error: last?.message },
    `attempt ${attempt} failed; key parked until the next attempt`,
  );
}

/**
 * Tells of a stored dead letter: an error line naming how to inspect it when it is the group's
 * first open one (`first`), a warning otherwise, then the group's onDeadLetter hook (whose
 * failure is logged, never thrown).
 */
export async function alertDeadLetter(s: GroupSettings, deadLetter: DeadLetterRecord, first: boolean): Promise<void> {
  s.telemetry?.metrics?.deadLettered(deadLetter.group, deadLetter.eventType);
  const rec = { partition: deadLetter.partition, sequence: deadLetter.sequence, id: deadLetter.eventId, source: deadLetter.eventSource, type: deadLetter.eventType, key: deadLetter.key, body: deadLetter.body };
  const fields = { ...failureFields(s, rec, deadLetter.errors.length), subject: deadLetter.subject, deadLetterId: deadLetter.id, reason: deadLetter.reason };
  if (first) {
    s.logger.error(fields, `dead letter in group ${deadLetter.group}: ${deadLetter.eventType} ${deadLetter.subject} (event ${deadLetter.eventId}); inspect with: factline dlq show ${deadLetter.id}`);
  } else {
    s.logger.warn(fields, 'dead letter');
  }
  try {
    await s.onDeadLetter?.(deadLetter, { first });
  } catch (err) {
    s.logger.error({ ...fields, err: String(err) }, 'onDeadLetter hook threw');
  }
}
