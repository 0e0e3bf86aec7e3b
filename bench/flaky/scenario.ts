/**
 * Flaky provider: N events (10,000 over the workload's 1,000 keys) are published, then one group
 * consumes them; its handler calls the fake provider (about 1 ms, a seeded 4 % of calls fail with a
 * retryable error) and stores one effect per event. Failures are retried by the system's own
 * mechanism. Measured: outside calls per event against the ideal (each event called until its
 * first success), the effects stored, events/s from the group's start to the last effect, and the
 * bench process's event-loop stalls meanwhile; all of it also without failures (the control, a
 * pass of its own on a fresh topic before the flaky one), to show what the retries cost.
 */
import { now, perSecond, RssSampler, sleep } from '../measure.js';
import { chunks, publishAllBatched, settleGroups, withTopic } from '../scenarios.js';
import type { BenchSettings } from '../settings.js';
import type { BenchSystem } from '../system.js';
import { DeliveryRecorder } from '../verify.js';
import { ENTITY_KEYS, Workload } from '../workload.js';
import { StallProbe, type StallStats } from '../slow-group/probe.js';
import { FlakyProvider, type CallStats } from './provider.js';

/** Attempts in all (Factline's default) and handler calls in flight (Factline: 16 x 16). */
export const FLAKY_ATTEMPTS = 5;
export const FLAKY_IN_FLIGHT = 256;
/** After the last effect, calls that still arrive in this time are counted too. */
const AFTERMATH_MS = 500;

export interface FlakyResult {
  events: number;
  keys: number;
  failRate: number;
  seed: number;
  /** The system's retry mechanism and settings, in words. */
  retry: string;
  calls: CallStats;
  /** Effects stored (rows or marks) and the distinct events among them. */
  effectRows: number;
  effectDistinct: number;
  /** Deliveries beyond the first (handler starts), summed over events. */
  redeliveries: number;
  elapsedMs: number;
  perSec: number;
  complete: boolean;
  /** Event-loop stalls of the bench process while the group consumed. */
  stalls: StallStats;
  preloadPerSec: number;
  peakRssMb: number;
  /** The same run with a provider that never fails: its throughput, stalls and calls. */
  control: { perSec: number; stalls: StallStats; calls: number };
  /** control ev/s / flaky ev/s: what the failures cost. */
  slowdown: number;
}

type Pass = Omit<FlakyResult, 'control' | 'slowdown'>;

/** One pass on a fresh topic: preload, then consume with a provider failing `failRate` of calls. */
function pass(system: BenchSystem, s: BenchSettings, failRate: number): Promise<Pass> {
  const wl = new Workload(s.flakyEvents);
  const events = wl.all();
  return withTopic(system, 1, async (topic) => {
    if (!topic.startRetryingGroup || !topic.effects) throw new Error(`${system.name} has no retrying consumer`);
    const rss = new RssSampler();
    const preloadMs = await publishAllBatched(topic, chunks(events, s.batchSize));
    const provider = new FlakyProvider(wl, failRate, s.flakySeed);
    const rec = new DeliveryRecorder(wl, 1);
    const probe = new StallProbe();
    const t0 = now();
    const retry = await topic.startRetryingGroup(0, provider.call, rec.sink(0), { retryMs: s.flakyRetryMs, attempts: FLAKY_ATTEMPTS, inFlight: FLAKY_IN_FLIGHT });
    const complete = await settleGroups(rec, 1, s.scenarioTimeoutMs);
    const elapsedMs = (rec.finishedAt(0) ?? now()) - t0;
    const stalls = probe.stop();
    await sleep(AFTERMATH_MS);
    const effects = await topic.effects();
    const delivery = rec.delivery(0);
    return {
      events: wl.size,
      keys: Math.min(ENTITY_KEYS, wl.size),
      failRate,
      seed: s.flakySeed,
      retry,
      calls: provider.stats(FLAKY_ATTEMPTS),
      effectRows: effects.rows,
      effectDistinct: effects.distinct,
      redeliveries: delivery.duplicates,
      elapsedMs,
      perSec: perSecond(effects.distinct, elapsedMs),
      complete,
      stalls,
      preloadPerSec: perSecond(wl.size, preloadMs),
      peakRssMb: rss.stop(),
    };
  });
}

/** The control (the same provider never failing), then the flaky pass. */
export async function flaky(system: BenchSystem, s: BenchSettings): Promise<FlakyResult> {
  const control = await pass(system, s, 0);
  const result = await pass(system, s, s.flakyFailRate);
  const { perSec, stalls, calls } = control;
  return { ...result, control: { perSec, stalls, calls: calls.total }, slowdown: perSec / result.perSec };
}
