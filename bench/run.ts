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
import type { Outcome, ScenarioResults, SystemReport } from './results.js';
import type { BenchSettings } from './settings.js';
import type { BenchSystem } from './system.js';
import { Workload } from './workload.js';

type ScenarioName = keyof ScenarioResults;

/** The headline of each scenario; --runs N keeps the run whose headline is the median. */
const headline: { [K in ScenarioName]-?: (v: NonNullable<ScenarioResults[K]> extends Outcome<infer T> ? T : never) => number } = {
  batched: (v) => v.perSec,
  oneInFlight: (v) => v.perSec,
  concurrent: (v) => v.perSec,
  fanOut: (v) => v.slowestPerSec,
  latency: (v) => v.p99Ms,
  backlog: (v) => v.drainPerSec,
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

export async function runSystem(system: BenchSystem, s: BenchSettings, runs: number): Promise<SystemReport> {
  const report: SystemReport = {
    name: system.name,
    kind: system.kind,
    durability: system.durability,
    marks: system.marks,
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
    wl.all();
    const limit = s.scenarioTimeoutMs + 60_000;
    const plan: { [K in ScenarioName]?: () => Promise<unknown> } = {
      batched: () => publishBatched(system, wl, s),
      oneInFlight: () => publishOneInFlight(system, wl, s),
      concurrent: () => publishConcurrent(system, wl, s),
      fanOut: () => fanOut(system, wl, s),
      latency: () => latency(system, s),
    };
    if (s.backlog > 0) plan.backlog = () => backlog(system, s);
    const collected: { [K in ScenarioName]?: Outcome<unknown>[] } = {};
    for (let run = 0; run < runs; run++) {
      for (const [name, work] of Object.entries(plan) as [ScenarioName, () => Promise<unknown>][]) {
        const outcome = await attempt(name, work, limit);
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
