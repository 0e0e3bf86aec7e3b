/** Runs every scenario against one system; a failure becomes a row, never a crash. */
import { errorText, median, withTimeout } from './measure.js';
import {
  backlog,
  fanOut,
  latency,
  publishBatched,
  publishConcurrent,
  publishOneInFlight,
  warmUp,
} from './scenarios.js';
import { flaky } from './flaky/scenario.js';
import { slowGroup } from './slow-group/scenario.js';
import { workflowThroughput } from './workflow/scenario.js';
import type { Outcome, ScenarioResults, SystemReport } from './results.js';
import type { BenchSettings } from './settings.js';
import type { BenchSystem } from './system.js';
import { Workload } from './workload.js';

export type ScenarioName = keyof ScenarioResults;

/** The scenarios' names on the command line (`--only flaky,slow-group`), in running order. */
export const SCENARIO_NAMES: { readonly [K in ScenarioName]-?: string } = {
  batched: 'batched',
  oneInFlight: 'one-in-flight',
  concurrent: 'concurrent',
  fanOut: 'fan-out',
  latency: 'latency',
  backlog: 'backlog',
  flaky: 'flaky',
  slowGroup: 'slow-group',
  workflow: 'workflow',
};

/** Whether `system` can run scenario `name` at all (the new scenarios need more than BenchTopic). */
export function supports(system: BenchSystem, name: ScenarioName): boolean {
  if (name === 'flaky') return system.retries === true;
  if (name === 'slowGroup') return typeof system.freshLog === 'function' || system.retries === true || system.awaitingGroups === true;
  if (name === 'workflow') return typeof system.freshLog === 'function';
  return true;
}

/** The headline of each scenario; --runs N keeps the run whose headline is the median. */
const headline: { [K in ScenarioName]-?: (v: NonNullable<ScenarioResults[K]> extends Outcome<infer T> ? T : never) => number } = {
  batched: (v) => v.perSec,
  oneInFlight: (v) => v.perSec,
  concurrent: (v) => v.perSec,
  fanOut: (v) => v.slowestPerSec,
  latency: (v) => v.p99Ms,
  backlog: (v) => v.drainPerSec,
  flaky: (v) => v.perSec,
  slowGroup: (v) => v.worstRatio,
  workflow: (v) => v.perSec,
};

const teardowns = new WeakMap<BenchSystem, Promise<void>>();

/** Tears a system down once, however many callers ask (the run's end, an interrupt). */
export function teardownOnce(system: BenchSystem): Promise<void> {
  let done = teardowns.get(system);
  if (!done) {
    done = withTimeout(system.teardown(), 60_000, 'teardown').catch((err: unknown) => {
      console.error(`  ${system.name}: teardown failed: ${errorText(err)}`);
    });
    teardowns.set(system, done);
  }
  return done;
}

async function attempt<T>(name: string, work: () => Promise<T>, timeoutMs: number): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await withTimeout(work(), timeoutMs, name), runs: 1 };
  } catch (err) {
    return { ok: false, error: errorText(err) };
  }
}

function pickMedian<T>(outcomes: Outcome<T>[], key: (v: T) => number): Outcome<T> {
  const values = outcomes.filter((o): o is Extract<Outcome<T>, { ok: true }> => o.ok);
  if (values.length === 0) return outcomes[0] ?? { ok: false, error: 'not run' };
  const mid = median(values.map((o) => key(o.value)));
  const best = values.reduce((a, b) => (Math.abs(key(b.value) - mid) < Math.abs(key(a.value) - mid) ? b : a));
  return { ok: true, value: best.value, runs: values.length };
}

/** Runs the scenarios of `only` (default: all but the opt-in backlog) that `system` supports. */
export async function runSystem(system: BenchSystem, s: BenchSettings, runs: number, only?: ReadonlySet<ScenarioName>): Promise<SystemReport> {
  const report: SystemReport = {
    name: system.name,
    kind: system.kind,
    durability: system.durability,
    marks: system.marks,
    applies: (Object.keys(SCENARIO_NAMES) as ScenarioName[]).filter((name) => supports(system, name) && (only ? only.has(name) : name !== 'backlog' || s.backlog > 0)),
    results: {},
  };
  const reason = await withTimeout(system.available(), 10_000, 'availability check').catch(errorText);
  if (reason !== null) {
    report.unavailable = reason;
    console.log(`  ${system.name}: unavailable: ${reason}`);
    return report;
  }
  try {
    await withTimeout(system.setup(), 60_000, 'setup');
    // A system may refine these once connected (e.g. naming the server version).
    report.durability = system.durability;
    report.marks = system.marks;
    console.log(`  ${system.name}: warm-up (${s.warmupEvents} events)`);
    await withTimeout(warmUp(system, s), s.scenarioTimeoutMs + 30_000, 'warm-up');
    const wl = new Workload(s.events);
    const limit = s.scenarioTimeoutMs + 60_000;
    const all: { [K in ScenarioName]?: () => Promise<unknown> } = {
      batched: () => publishBatched(system, wl, s),
      oneInFlight: () => publishOneInFlight(system, wl, s),
      concurrent: () => publishConcurrent(system, wl, s),
      fanOut: () => fanOut(system, wl, s),
      latency: () => latency(system, s),
      ...(s.backlog > 0 ? { backlog: () => backlog(system, s) } : {}),
      flaky: () => flaky(system, s),
      slowGroup: () => slowGroup(system, s, (line) => console.log(`  ${system.name}: slow-group: ${line}`)),
      workflow: () => workflowThroughput(system, s),
    };
    const plan = Object.fromEntries(
      Object.entries(all).filter(([name]) => supports(system, name as ScenarioName) && (!only || only.has(name as ScenarioName))),
    ) as typeof all;
    // The canonical events are built before any timing starts.
    if (plan.batched || plan.oneInFlight || plan.concurrent || plan.fanOut) wl.all();
    const collected: { [K in ScenarioName]?: Outcome<unknown>[] } = {};
    for (let run = 0; run < runs; run++) {
      for (const [name, work] of Object.entries(plan) as [ScenarioName, () => Promise<unknown>][]) {
        const outcome = await attempt(name, work, name === 'slowGroup' ? 4 * ((s.slowWarmSeconds + s.slowSeconds) * 1000 + 60_000) : limit);
        console.log(`  ${system.name}: ${name}${runs > 1 ? ` (run ${run + 1})` : ''}: ${outcome.ok ? 'ok' : outcome.error}`);
        (collected[name] ??= []).push(outcome);
      }
    }
    for (const name of Object.keys(collected) as ScenarioName[]) {
      const key = headline[name] as (v: unknown) => number;
      (report.results as Record<ScenarioName, Outcome<unknown>>)[name] = pickMedian(collected[name] ?? [], key);
    }
  } catch (err) {
    report.unavailable = `failed: ${errorText(err)}`;
    console.log(`  ${system.name}: ${report.unavailable}`);
  } finally {
    await teardownOnce(system);
  }
  return report;
}
