import { FactlineError } from '../core/errors.js';
import type { PublishOptions } from '../publish/build-envelope.js';

/** When a scheduled event is due: at a time, or after a delay from now. Exactly one of them. */
export interface ScheduleOptions extends PublishOptions {
  /** The time to deliver at (a Date or ms since epoch). A time in the past delivers at once. */
  readonly at?: Date | number;
  /** Deliver this many ms from now. */
  readonly delayMs?: number;
}

/** A scheduled event: its id (to cancel it), when it is due, and the envelope as it will be appended. */
export interface ScheduledDelivery<Data = unknown> {
  readonly id: string;
  /** ms since epoch */
  readonly dueAt: number;
  /** The envelope (its `time` becomes the delivery time when it is appended). */
  readonly envelope: import('../core/envelope.js').Envelope<Data>;
}

/** The due time (ms since epoch) of `options` at `now`; throws INVALID_ARGUMENT unless exactly one of at and delayMs is valid. */
export function dueAt(type: string, options: ScheduleOptions | undefined, now: number): number {
  const at = options?.at;
  const delay = options?.delayMs;
  if ((at === undefined) === (delay === undefined)) {
    throw new FactlineError('INVALID_ARGUMENT', `cannot schedule ${type}: give exactly one of at (a Date or ms since epoch) and delayMs`);
  }
  if (delay !== undefined) {
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
      throw new FactlineError('INVALID_ARGUMENT', `cannot schedule ${type}: delayMs must be a number of 0 or more, got ${String(delay)}`);
    }
    return now + Math.round(delay);
  }
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new FactlineError('INVALID_ARGUMENT', `cannot schedule ${type}: at must be a valid Date or ms since epoch, got ${String(at)}`);
  }
  return Math.round(ms);
}

/** Only the publish options of `options` (at and delayMs removed). */
export function publishPart(options: ScheduleOptions | undefined): PublishOptions | undefined {
  if (!options) return undefined;
  const { at: _at, delayMs: _delay, ...rest } = options;
  return rest;
}
