/** The shape of what a bench run measures; also the shape of the JSON results file. */
import type { FlakyResult } from './flaky/scenario.js';
import type { SlowGroupResult } from './slow-group/scenario.js';
import type { WorkflowResult } from './workflow/scenario.js';
import type { GroupDelivery } from './verify.js';

export type { FlakyResult, SlowGroupResult, WorkflowResult };

export interface ThroughputResult {
  events: number;
  elapsedMs: number;
  perSec: number;
  peakRssMb: number;
}

export interface GroupResult extends GroupDelivery {
  elapsedMs: number;
  perSec: number;
}

export interface FanOutResult {
  events: number;
  groups: number;
  /** Batched publish of the backlog the groups then consume. */
  preloadPerSec: number;
  /** The headline: the slowest group's events/s. */
  slowestPerSec: number;
  perGroup: GroupResult[];
  complete: boolean;
  duplicates: number;
  peakRssMb: number;
}

export interface LatencyResult {
  offeredPerSec: number;
  seconds: number;
  sent: number;
  publishErrors: number;
  received: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Publishes backed up beyond one second of offered load, or not everything arrived. */
  saturated: boolean;
  complete: boolean;
  peakRssMb: number;
}

export interface BacklogResult {
  events: number;
  publishPerSec: number;
  drainPerSec: number;
  drainMs: number;
  complete: boolean;
  duplicates: number;
  peakRssMb: number;
}

/** A scenario's value, or why it has none. */
export type Outcome<T> = { ok: true; value: T; runs: number } | { ok: false; error: string };

export interface ScenarioResults {
  batched?: Outcome<ThroughputResult>;
  oneInFlight?: Outcome<ThroughputResult>;
  concurrent?: Outcome<ThroughputResult>;
  fanOut?: Outcome<FanOutResult>;
  latency?: Outcome<LatencyResult>;
  backlog?: Outcome<BacklogResult>;
  flaky?: Outcome<FlakyResult>;
  slowGroup?: Outcome<SlowGroupResult>;
  workflow?: Outcome<WorkflowResult>;
}

export interface SystemReport {
  name: string;
  kind: 'factline' | 'peer';
  durability: string;
  marks: string;
  /** The scenarios this system was to run (those it supports, of those selected). */
  applies?: (keyof ScenarioResults)[];
  /** Set when the system could not run at all (unreachable server, failed setup). */
  unavailable?: string;
  results: ScenarioResults;
}
