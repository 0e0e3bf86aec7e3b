import type { AttemptError, DeadLetterRecord, LogRecord, ParkedRecord } from '../core/engine.js';
import { uuidv7 } from '../core/ids.js';
import { prepareDelivery } from './invoke.js';
import { decideFailure } from './retry-policy.js';
import type { GroupSettings } from './settings.js';

/** What a failed attempt changes in the store. */
export interface FailureChanges {
  /** The event's parked row after the failure (retrying, or held in strict mode). */
  readonly park?: ParkedRecord;
  /** The event's parked row is deleted (dead letter, not strict, and it was parked). */
  readonly unpark?: number;
  readonly deadLetter?: DeadLetterRecord;
  /** The key may go on with its next event. */
  readonly released: boolean;
  readonly retryInMs?: number;
}

function toAttemptError(attempt: number, at: number, err: unknown): AttemptError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { attempt, at, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

/**
 * Decides what failed attempt number `prior + 1` of `rec` becomes: a parked row waiting for its
 * next attempt, or a dead letter (held in strict mode, else the key is released). Pure: the
 * caller commits the changes.
 */
export function failureChanges(s: GroupSettings, rec: LogRecord, prior: number, error: unknown, existing?: ParkedRecord): FailureChanges {
  const attempt = prior + 1;
  const now = s.clock.now();
  let policy = s.retry;
  let subject = rec.key;
  try {
    const delivery = prepareDelivery(rec.body, rec.type, s.handlers.get(rec.type) ?? new Map());
    policy = delivery.registration.retry;
    subject = delivery.envelope.subject;
  } catch {
    // malformed or unknown version: the error says so, and the group's policy applies
  }
  const errors = [...(existing?.errors ?? []), toAttemptError(attempt, now, error)];
  const decision = decideFailure(policy, attempt, error, s.random);
  const base = { group: s.name, partition: rec.partition, sequence: rec.sequence, key: rec.key, record: rec, attempts: attempt, errors };
  if (decision.kind === 'retry') {
    return { park: { ...base, state: 'retrying', nextAttemptAt: now + decision.delayMs }, released: false, retryInMs: decision.delayMs };
  }
  const deadLetter: DeadLetterRecord = {
    id: uuidv7(now), group: s.name, partition: rec.partition, sequence: rec.sequence, key: rec.key, eventId: rec.id,
    eventSource: rec.source, eventType: rec.type, subject, body: rec.body, reason: decision.reason, errors, strict: s.strict,
    status: 'open', createdAt: now, history: [],
  };
  if (s.strict) return { deadLetter, park: { ...base, state: 'held', nextAttemptAt: 0 }, released: false };
  return { deadLetter, released: true, ...(existing ? { unpark: rec.sequence } : {}) };
}
