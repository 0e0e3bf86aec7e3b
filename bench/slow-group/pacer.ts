/**
 * Publishes at a steady rate for a fixed time, each publish fired on schedule without waiting
 * for the previous one (as request handlers would), and measures each publish call to its
 * resolution, the errors, and the event-loop stalls of the publishing process meanwhile.
 * One pacer for every system: Factline's `app.publish()` and a peer's `topic.publishOne()`.
 */
import type { Factline } from 'factline';
import { errorText, now, sleep, summarize } from '../measure.js';
import { SlowOrder, slowOrderData } from './event.js';
import { StallProbe, type StallStats } from './probe.js';

export interface PublishStats {
  sent: number;
  errors: number;
  firstError?: string;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How far the schedule fell behind at worst (the pacer could not fire on time). */
  behindMs: number;
  stalls: StallStats;
}

/** The events `rate` events/s for `seconds` make. */
export function eventsOf(rate: number, seconds: number): number {
  return Math.max(1, Math.round(rate * seconds));
}

/**
 * Calls `publish(n)` for n = 0, 1, ... at `rate` per second for `seconds`, and measures each call
 * from event `warm` on (the calls before it count as sent and as errors, not in the latencies).
 */
export async function publishPaced(publish: (n: number) => Promise<unknown>, rate: number, seconds: number, warm = 0): Promise<PublishStats> {
  const total = eventsOf(rate, seconds);
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  let errors = 0;
  let firstError: string | undefined;
  let behindMs = 0;
  const probe = new StallProbe();
  const t0 = now();
  for (let n = 0; n < total; ) {
    const elapsed = now() - t0;
    const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
    behindMs = Math.max(behindMs, elapsed - (n * 1000) / rate);
    for (; n < due; n++) {
      const start = now();
      const measured = n >= warm;
      const p = publish(n).then(
        () => void (measured && latencies.push(now() - start)),
        (err: unknown) => {
          errors++;
          firstError ??= errorText(err);
        },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    if (n < total) await sleep(1);
  }
  await Promise.all(pending);
  const stalls = probe.stop();
  const lat = summarize(latencies);
  return { sent: total, errors, ...(firstError ? { firstError } : {}), p50Ms: lat.p50, p99Ms: lat.p99, maxMs: lat.max, behindMs: Math.max(0, behindMs), stalls };
}

/** Publishes `rate` events/s for `seconds` through `app`, measured from event `warm` on. */
export function publishSteadily(app: Factline<unknown>, rate: number, seconds: number, warm = 0): Promise<PublishStats> {
  return publishPaced((n) => app.publish(SlowOrder, slowOrderData(n)), rate, seconds, warm);
}

/** A slow-group run's publishing: seconds in all (warm-up included), and the events of the warm-up. */
export function slowWindow(s: { slowRate: number; slowWarmSeconds: number; slowSeconds: number }): { seconds: number; warm: number } {
  return { seconds: s.slowWarmSeconds + s.slowSeconds, warm: Math.round(s.slowRate * s.slowWarmSeconds) };
}
