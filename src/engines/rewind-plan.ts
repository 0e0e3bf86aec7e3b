import { FactlineError } from '../core/errors.js';
import type { RewindOptions, RewindTarget } from '../core/rewind.js';

/** The member name a rewind holds leases under (never a real member's: those contain the pid). */
export const REWIND_MEMBER = 'factline rewind';
/** How long past the last live member's lease expiry the rewind holds the partitions. */
export const REWIND_MARGIN_MS = 1000;

/** Checks a rewind request before anything is read. */
export function checkRewind(to: RewindTarget, options: RewindOptions, partitions: number): void {
  if ('sequence' in to && (!Number.isInteger(to.sequence) || to.sequence < 1)) {
    throw new FactlineError('INVALID_ARGUMENT', `rewind to sequence needs an integer of 1 or more, got ${String(to.sequence)}`);
  }
  if ('time' in to && !Number.isFinite(to.time)) throw new FactlineError('INVALID_ARGUMENT', `rewind to time needs ms since epoch, got ${String(to.time)}`);
  for (const p of options.partitions ?? []) {
    if (!Number.isInteger(p) || p < 0 || p >= partitions) throw new FactlineError('INVALID_ARGUMENT', `partition ${String(p)} is not a partition of this log (0 to ${partitions - 1})`);
  }
}

/**
 * The position a partition rewinds to: never forward of `from`. `timeSequence` is the first
 * sequence stored at or after the target time (head + 1 when none is).
 */
export function rewindPosition(to: RewindTarget, from: number, timeSequence: number): number {
  if ('beginning' in to) return 0;
  if ('sequence' in to) return Math.min(from, to.sequence - 1);
  return Math.min(from, timeSequence - 1);
}
