import type { AttemptError, DeadLetterRecord, LogRecord, ParkedRecord } from '../core/engine.js';
import { uuidv7 } from '../core/ids.js';
import { VersionAheadError } from '../core/errors.js';
import { cleanText, describeError } from './describe-error.js';
import { prepareDelivery } from './invoke.js';
import { backoffDelay, decideFailure, type RetryPolicy } from './retry-policy.js';
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

/** How often a key waiting for a newer consumer (VersionAheadError) looks again. */
export const VERSION_RECHECK_MS = 1000;

/** The reason of a dead letter whose handler killed its process `deaths` times. */
export const DIED_REASON = (deaths: number): string =>
  `the process died while handling it, ${deaths} time${deaths === 1 ? '' : 's'} (a handler that exits, runs out of memory or crashes natively)`;

/** The message stored for an attempt that started and whose result was never recorded. */
export const DIED_MESSAGE = 'the process ended while handling it (its attempt started and no result was recorded)';

function toAttemptError(attempt: number, at: number, err: unknown): AttemptError {
  const d = describeError(err);
  return { attempt, at, message: d.message, ...(d.stack ? { stack: d.stack } : {}) };
}

function policyAndSubject(s: GroupSettings, rec: LogRecord): { policy: RetryPolicy; subject: string } {
  let policy = s.retry;
  let subject: unknown = rec.key;
  try {
    const delivery = prepareDelivery(rec.body, rec.type, s.handlers.get(rec.type) ?? new Map(), s.newer);
    policy = delivery.registration.retry;
    subject = delivery.envelope.subject;
  } catch {
    // malformed or unknown version: the error says so, and the group's policy applies
  }
  // A stored envelope may lack a subject or hold one no column accepts: the key stands in.
  const text = typeof subject === 'string' && subject.length > 0 ? subject : rec.key;
  return { policy, subject: cleanText(text, 2000) };
}

function deadLetterOf(s: GroupSettings, rec: LogRecord, subject: string, reason: string, errors: readonly AttemptError[], now: number): DeadLetterRecord {
  return {
    id: uuidv7(now), group: s.name, partition: rec.partition, sequence: rec.sequence, key: rec.key, eventId: rec.id,
    eventSource: rec.source, eventType: rec.type, subject, body: rec.body, reason: cleanText(reason, 4000), errors, strict: s.strict,
    status: 'open', createdAt: now, history: [],
  };
}

function deadChanges(s: GroupSettings, deadLetter: DeadLetterRecord, base: Omit<ParkedRecord, 'state' | 'nextAttemptAt'>, existing: boolean): FailureChanges {
  if (s.strict) return { deadLetter, park: { ...base, state: 'held', nextAttemptAt: 0 }, released: false };
  return { deadLetter, released: true, ...(existing ? { unpark: base.sequence } : {}) };
}

/**
 * Decides what failed attempt number `prior + 1` of `rec` becomes: a parked row waiting for its
 * next attempt, or a dead letter (held in strict mode, else the key is released). Pure: the
 * caller commits the changes. An attempt already recorded as started (`existing` holds its
 * placeholder) is replaced, not counted twice.
 */
export function failureChanges(s: GroupSettings, rec: LogRecord, prior: number, error: unknown, existing?: ParkedRecord): FailureChanges {
  const attempt = prior + 1;
  const now = s.clock.now();
  const { policy, subject } = policyAndSubject(s, rec);
  const earlier = (existing?.errors ?? []).filter((e) => e.attempt < attempt);
  const errors = [...earlier, toAttemptError(attempt, now, error)];
  const base = { group: s.name, partition: rec.partition, sequence: rec.sequence, key: rec.key, record: rec, attempts: attempt, errors };
  if (error instanceof VersionAheadError) {
    // Waits for a newer consumer: parked, its attempts not counted, looked at again every second.
    return { park: { ...base, attempts: prior, state: 'retrying', nextAttemptAt: now + VERSION_RECHECK_MS }, released: false, retryInMs: VERSION_RECHECK_MS };
  }
  const decision = decideFailure(policy, attempt, error, s.random);
  if (decision.kind === 'retry') {
    return { park: { ...base, state: 'retrying', nextAttemptAt: now + decision.delayMs }, released: false, retryInMs: decision.delayMs };
  }
  const reason = decision.kind === 'dead' ? decision.reason : '';
  return deadChanges(s, deadLetterOf(s, rec, subject, reason, errors, now), base, existing !== undefined);
}

/**
 * The parked row that records attempt number `prior + 1` as started, before it runs: if the
 * process dies during it, the attempt still counts, with DIED_MESSAGE as its error, and the next
 * try waits for the policy's backoff.
 */
export function startedAttempt(s: GroupSettings, rec: LogRecord, prior: number, existing?: ParkedRecord): ParkedRecord {
  const attempt = prior + 1;
  const now = s.clock.now();
  const { policy } = policyAndSubject(s, rec);
  const earlier = (existing?.errors ?? []).filter((e) => e.attempt < attempt);
  return {
    group: s.name, partition: rec.partition, sequence: rec.sequence, key: rec.key, record: rec, state: 'retrying', attempts: attempt,
    nextAttemptAt: now + backoffDelay(policy, attempt, s.random), errors: [...earlier, { attempt, at: now, message: DIED_MESSAGE }],
  };
}

/**
 * When the head's recorded attempts are used up by process deaths (its last error is
 * DIED_MESSAGE and no attempt is left), the dead letter it becomes without running again.
 */
export function diedTooOften(s: GroupSettings, head: ParkedRecord): FailureChanges | undefined {
  const last = head.errors[head.errors.length - 1];
  if (!last || last.message !== DIED_MESSAGE) return undefined;
  const { policy, subject } = policyAndSubject(s, head.record);
  if (head.attempts < policy.attempts) return undefined;
  const deaths = head.errors.filter((e) => e.message === DIED_MESSAGE).length;
  const reason = DIED_REASON(deaths);
  const base = { group: s.name, partition: head.partition, sequence: head.sequence, key: head.key, record: head.record, attempts: head.attempts, errors: head.errors };
  return deadChanges(s, deadLetterOf(s, head.record, subject, reason, head.errors, s.clock.now()), base, true);
}
