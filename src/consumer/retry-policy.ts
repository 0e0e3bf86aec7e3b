import { describeError } from './describe-error.js';
import { EventValidationError, FactlineError, NonRetryableError, RetryLaterError } from '../core/errors.js';

/** How a group retries a failing event before it becomes a dead letter. */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). 1 means no retry. */
  readonly attempts: number;
  /** Delay before the second attempt (default 200 ms). */
  readonly initialDelayMs: number;
  /** Each next delay is multiplied by this (default 2). */
  readonly factor: number;
  /** No delay is longer than this (default 60 s). */
  readonly maxDelayMs: number;
  /** Each delay is moved at random by up to this fraction either way (default 0.2), then capped. */
  readonly jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, initialDelayMs: 200, factor: 2, maxDelayMs: 60_000, jitter: 0.2 };

export function retryPolicy(overrides: Partial<RetryPolicy> = {}, base: RetryPolicy = defaultRetryPolicy): RetryPolicy {
  const p = { ...base, ...overrides };
  if (!Number.isInteger(p.attempts) || p.attempts < 1) throw new FactlineError('INVALID_ARGUMENT', `retry.attempts must be an integer of 1 or more, got ${p.attempts}`);
  if (p.initialDelayMs < 0 || p.maxDelayMs < 0 || p.factor < 1 || p.jitter < 0 || p.jitter > 1) {
    throw new FactlineError('INVALID_ARGUMENT', 'retry: delays must be >= 0, factor >= 1 and jitter within 0..1');
  }
  return p;
}

/** Delay before the attempt after failed attempt number `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  const jittered = base * (1 + policy.jitter * (2 * random() - 1));
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(jittered)));
}

export type FailureDecision =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'dead'; readonly reason: string };

/** What to do after failed attempt number `attempt` with `error`. */
export function decideFailure(policy: RetryPolicy, attempt: number, error: unknown, random?: () => number): FailureDecision {
  if (safeInstance(error, NonRetryableError)) return { kind: 'dead', reason: `not retryable: ${error.message}` };
  if (safeInstance(error, EventValidationError)) return { kind: 'dead', reason: `invalid data: ${error.message}` };
  if (attempt >= policy.attempts) {
    return { kind: 'dead', reason: `failed ${attempt} attempt${attempt === 1 ? '' : 's'}: ${describeError(error).message}` };
  }
  if (safeInstance(error, RetryLaterError)) return { kind: 'retry', delayMs: error.delayMs };
  return { kind: 'retry', delayMs: backoffDelay(policy, attempt, random) };
}

/** `instanceof` that cannot throw (a Proxy or an object with a hostile prototype chain). */
function safeInstance<T>(value: unknown, cls: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof cls;
  } catch {
    return false;
  }
}
