/** What the scenarios run with: the full canonical workload, and the --quick variant. */
import { DEFAULT_EVENTS } from './workload.js';

export interface BenchSettings {
  /** N: events for batched publish and fan-out. */
  events: number;
  /** Events for the one-in-flight and concurrent single-publish scenarios. */
  singles: number;
  batchSize: number;
  /** Single publishes in flight in the concurrent scenario. */
  concurrency: number;
  /** Consumer groups in the fan-out scenario. */
  groups: number;
  latencyRate: number;
  latencySeconds: number;
  /** Events of the untimed warm-up that runs once per system before any scenario. */
  warmupEvents: number;
  /** Events of the backlog-drain scenario; 0 skips it. */
  backlog: number;
  /** Upper bound for one scenario (a slower system reports what it managed by then). */
  scenarioTimeoutMs: number;
  /** Flaky provider: events (over the workload's 1,000 keys), failure rate, seed, first retry delay. */
  flakyEvents: number;
  flakyFailRate: number;
  flakySeed: number;
  flakyRetryMs: number;
  /**
   * Slow group beside publishers: offered publish rate, seconds of publishing measured, the slow
   * effect's wait. Each run first publishes `slowWarmSeconds` at the same rate, left out of every
   * percentile (a fresh log's cold start: new connections, first statements, groups starting).
   */
  slowRate: number;
  slowWarmSeconds: number;
  slowSeconds: number;
  slowEffectMs: number;
  /** Workflow throughput: instances, each through four transitions. */
  workflowInstances: number;
}

export const FULL: BenchSettings = {
  events: DEFAULT_EVENTS,
  singles: 10_000,
  batchSize: 1_000,
  concurrency: 256,
  groups: 3,
  latencyRate: 2_000,
  latencySeconds: 10,
  warmupEvents: 5_000,
  backlog: 0,
  scenarioTimeoutMs: 300_000,
  flakyEvents: 10_000,
  flakyFailRate: 0.04,
  flakySeed: 20_250_101,
  flakyRetryMs: 20,
  slowRate: 200,
  slowWarmSeconds: 2,
  slowSeconds: 20,
  slowEffectMs: 200,
  workflowInstances: 10_000,
};

export const QUICK: BenchSettings = {
  ...FULL,
  events: 5_000,
  singles: 1_000,
  latencySeconds: 2,
  warmupEvents: 500,
  scenarioTimeoutMs: 20_000,
  flakyEvents: 2_000,
  slowWarmSeconds: 0.5,
  slowSeconds: 3,
  workflowInstances: 1_000,
};
