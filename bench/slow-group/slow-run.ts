/**
 * One run of the slow-group scenario (a control or one with the email group), whichever system
 * it is on: what it reports, and the stall probes around it.
 */
import { now, sleep, summarize } from '../measure.js';
import { startIdleProbe } from './idle-probe.js';
import type { PublishStats } from './pacer.js';
import { StallProbe, type StallStats } from './probe.js';

export interface LatencyStats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface GroupCounts extends LatencyStats {
  /** Distinct events whose row (Factline) or processed mark (a peer) is committed. */
  committed: number;
}

/** Latency percentiles of `samples`. */
export function latencyStats(samples: readonly number[]): LatencyStats {
  const lat = summarize(samples);
  return { p50Ms: lat.p50, p99Ms: lat.p99, maxMs: lat.max };
}

export interface SlowRun {
  publish: PublishStats;
  /**
   * Billing's end-to-end latency from the publish call: to the commit of its row (Factline), or
   * to its handler's start (a peer, which reports no per-event commit; see SlowGroupResult.billingTo).
   */
  billing: GroupCounts;
  /** Publish call to billing's handler start, the first delivery of each event: every system alike. */
  billingStart: LatencyStats;
  /** The email group (absent in the control): calls, events committed, most calls at once. */
  email?: { calls: number; handled: number; maxInFlight: number };
  /** Stalls of the consuming process when the publisher is a child (else the publisher's own). */
  consumerStalls: StallStats;
  /** Stalls of an idle process beside the run: what the machine alone causes. */
  idleStalls: StallStats;
  /** Every event reached billing (and email) within the drain time. */
  complete: boolean;
  /** Errors logged by the consuming app (Factline; a peer logs none). */
  loggedErrors: number;
}

/** How long a run waits, after the last publish, for the groups to catch up. */
export const DRAIN_MS = 30_000;

export async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = now() + ms;
  while (!done()) {
    if (now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

export interface RunProbes {
  stop(): Promise<{ consumerStalls: StallStats; idleStalls: StallStats }>;
}

/** Starts the idle process beside the run, then this process's own stall probe. */
export async function startProbes(): Promise<RunProbes> {
  const idle = await startIdleProbe();
  const probe = new StallProbe();
  return {
    stop: async () => {
      const consumerStalls = probe.stop();
      return { consumerStalls, idleStalls: await idle.stop() };
    },
  };
}
