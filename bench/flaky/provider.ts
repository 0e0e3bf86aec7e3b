/**
 * The fake outside provider of the flaky-provider scenario: an in-process async call that waits
 * about 1 ms and fails with a retryable error on a seeded 4 % of calls.
 *
 * Whether a call fails depends only on (seed, event index, how many times this event was called
 * before), never on the order calls arrive in: every system sees the same events fail on the same
 * attempts, and the calls an ideal consumer makes (each event called until its first success) are
 * known in advance, so extra calls are the consumer's own.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Workload } from '../workload.js';

/** What a provider answering 503 looks like to a handler: retryable. */
export class ProviderUnavailableError extends Error {
  readonly retryable = true;
  constructor(id: string, call: number) {
    super(`provider unavailable (503) for ${id}, call ${call}`);
    this.name = 'ProviderUnavailableError';
  }
}

/** A 32-bit integer hash with good avalanche (xor-shift / multiply rounds). */
function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x21f0aaad) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x735a2d97) >>> 0;
  return (x ^ (x >>> 15)) >>> 0;
}

export interface CallStats {
  /** Calls in all. */
  total: number;
  /** Calls an ideal consumer makes: each event until its first success (or `attempts` failures). */
  ideal: number;
  mean: number;
  max: number;
  /** Percentage of events called more than once. */
  multiPct: number;
  /** Events never called. */
  uncalled: number;
  /** Calls that failed (the provider's 503s). */
  failures: number;
  /** Calls with an id not in the workload. */
  foreign: number;
  /** Most calls in flight at once. */
  maxInFlight: number;
}

export class FlakyProvider {
  private readonly calls: Uint16Array;
  private failures = 0;
  private foreign = 0;
  private inFlight = 0;
  private maxInFlight = 0;

  constructor(
    private readonly wl: Workload,
    private readonly failRate: number,
    private readonly seed: number,
    private readonly waitMs = 1,
  ) {
    this.calls = new Uint16Array(wl.size);
  }

  /** Does call number `call` (1-based) for event `index` fail? */
  fails(index: number, call: number): boolean {
    const h = mix(mix((this.seed ^ Math.imul(index, 0x9e3779b1)) >>> 0) + call);
    return h / 2 ** 32 < this.failRate;
  }

  /** The outside call: waits about `waitMs`, then succeeds or throws ProviderUnavailableError. */
  readonly call = async (id: string): Promise<void> => {
    const index = this.wl.indexOf(id);
    if (index < 0) {
      this.foreign++;
      throw new Error(`provider: unknown event ${id}`);
    }
    const call = (this.calls[index] = Math.min(0xffff, (this.calls[index] ?? 0) + 1));
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      await delay(this.waitMs);
    } finally {
      this.inFlight--;
    }
    if (this.fails(index, call)) {
      this.failures++;
      throw new ProviderUnavailableError(id, call);
    }
  };

  /** How many calls event `index` needs at best with `attempts` attempts. */
  private idealCalls(index: number, attempts: number): number {
    let call = 1;
    while (call < attempts && this.fails(index, call)) call++;
    return call;
  }

  stats(attempts: number): CallStats {
    let total = 0;
    let ideal = 0;
    let max = 0;
    let multi = 0;
    let uncalled = 0;
    for (let i = 0; i < this.calls.length; i++) {
      const n = this.calls[i] ?? 0;
      total += n;
      ideal += this.idealCalls(i, attempts);
      if (n > max) max = n;
      if (n > 1) multi++;
      if (n === 0) uncalled++;
    }
    const size = this.calls.length;
    return { total, ideal, mean: total / size, max, multiPct: (100 * multi) / size, uncalled, failures: this.failures, foreign: this.foreign, maxInFlight: this.maxInFlight };
  }
}
