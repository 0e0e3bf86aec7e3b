import type { DeadLetterRecord, LogRecord } from '../core/engine.js';
import type { FailureChanges } from './failure-changes.js';
import type { GroupSettings } from './settings.js';

/** Logs a failed attempt that will be retried (warn), with the event, key, attempt and delay. */
export function logFailure(s: GroupSettings, rec: LogRecord, changes: FailureChanges, attempt: number): void {
  if (changes.retryInMs === undefined) return;
  const last = changes.park?.errors[changes.park.errors.length - 1];
  s.logger.warn(
    { group: s.name, eventId: rec.id, eventType: rec.type, key: rec.key, attempt, retryInMs: changes.retryInMs, error: last?.message },
    `attempt ${attempt} failed; key parked until the next attempt`,
  );
}

/**
 * Tells of a stored dead letter: an error line naming how to inspect it when it is the group's
 * first open one (`first`), a warning otherwise, then the group's onDeadLetter hook (whose
 * failure is logged, never thrown).
 */
export async function alertDeadLetter(s: GroupSettings, deadLetter: DeadLetterRecord, first: boolean): Promise<void> {
  const fields = { group: deadLetter.group, eventType: deadLetter.eventType, subject: deadLetter.subject, eventId: deadLetter.eventId, deadLetterId: deadLetter.id, reason: deadLetter.reason };
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
