/**
 * Slow group beside publishers (Factline only): an app publishes at a steady rate (200 ev/s for
 * 20 s) while group `email` awaits 200 ms per event in an effect handler and group `billing`
 * (store handler) writes a row per event. Measured: publish latency and errors, event-loop stalls
 * of the publishing process, billing's publish-to-commit latency; and the same again without the
 * email group (the control), on a fresh log each time. Two variants: the publisher is the app
 * that consumes (one process), or a child process on the same log (file or schema).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFactline } from 'factline';
import { now, RssSampler, sleep } from '../measure.js';
import { dropLog, openEngine, type EngineSpec } from '../factline/engine-spec.js';
import { PARTITIONS } from '../factline/event.js';
import { countingLogger } from '../factline/logger.js';
import type { BenchSettings } from '../settings.js';
import type { BenchSystem } from '../system.js';
import { SlowGroupConsumers, type GroupCounts } from './consumers.js';
import { publishSteadily, type PublishStats } from './pacer.js';
import { startIdleProbe, type IdleProbe } from './idle-probe.js';
import { StallProbe, type StallStats } from './probe.js';

export type PublisherPlace = 'same process' | 'child process';

export interface SlowRun {
  publish: PublishStats;
  billing: GroupCounts;
  /** The email group (absent in the control): calls, events committed, most calls at once. */
  email?: { calls: number; handled: number; maxInFlight: number };
  /** Stalls of the consuming process when the publisher is a child (else the publisher's own). */
  consumerStalls: StallStats;
  /** Stalls of an idle process beside the run: what the machine alone causes. */
  idleStalls: StallStats;
  /** Every event reached billing (and email) within the drain time. */
  complete: boolean;
  /** Errors logged by the consuming app. */
  loggedErrors: number;
}

export interface SlowVariant {
  publisher: PublisherPlace;
  control: SlowRun;
  slow: SlowRun;
  publishP99Ratio: number;
  billingP99Ratio: number;
}

export interface SlowGroupResult {
  rate: number;
  seconds: number;
  effectMs: number;
  variants: SlowVariant[];
  /** The worst of the ratios (the --runs median is taken on it). */
  worstRatio: number;
  peakRssMb: number;
}

const DRAIN_MS = 30_000;
const child = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Publishes from a child process; `ready` runs once the child's app has started, before it publishes. */
function publishFromChild(spec: EngineSpec, rate: number, seconds: number, ready: () => Promise<void>): Promise<PublishStats> {
  return new Promise((resolve, reject) => {
    const p = fork(child, [JSON.stringify(spec), String(rate), String(seconds)], { execArgv: ['--conditions=factline-source', '--import', 'tsx'] });
    let answered = false;
    p.on('message', (m: { ready?: boolean; ok?: boolean; stats?: PublishStats; error?: string }) => {
      if (m.ready) return void ready().then(() => p.send('go'), reject);
      answered = true;
      if (m.ok && m.stats) resolve(m.stats);
      else reject(new Error(`publisher process: ${m.error ?? 'no result'}`));
    });
    p.on('error', reject);
    p.on('exit', (code) => answered || reject(new Error(`publisher process exited with ${code} before reporting`)));
  });
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = now() + ms;
  while (!done()) {
    if (now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

async function runOnce(spec: EngineSpec, s: BenchSettings, place: PublisherPlace, withSlow: boolean): Promise<SlowRun> {
  const logger = countingLogger(`slow-group ${withSlow ? 'with email' : 'control'}`);
  const app = createFactline({ engine: openEngine(spec), source: 'bench/orders', partitions: PARTITIONS, logger });
  const groups = new SlowGroupConsumers(app, spec, withSlow ? s.slowEffectMs : undefined);
  await app.start();
  try {
    await SlowGroupConsumers.createTable(app, spec);
    let idle: IdleProbe | undefined;
    let probe: StallProbe | undefined;
    const measure = async () => {
      idle = await startIdleProbe();
      probe = new StallProbe();
    };
    let publish: PublishStats;
    if (place === 'same process') {
      await measure();
      publish = await publishSteadily(app, s.slowRate, s.slowSeconds);
    } else {
      publish = await publishFromChild(spec, s.slowRate, s.slowSeconds, measure);
    }
    if (!idle || !probe) throw new Error('the probes did not start');
    const drained = () => groups.billingCommitted() >= publish.sent && (!withSlow || groups.emailHandled >= publish.sent);
    const complete = await until(drained, DRAIN_MS);
    const consumerStalls = probe.stop();
    const idleStalls = await idle.stop();
    return {
      publish,
      billing: groups.billing(),
      ...(withSlow ? { email: { calls: groups.emailCalls, handled: groups.emailHandled, maxInFlight: groups.emailMaxInFlight } } : {}),
      consumerStalls,
      idleStalls,
      complete,
      loggedErrors: logger.counts.error,
    };
  } finally {
    await app.stop();
    await dropLog(spec);
  }
}

export async function slowGroup(system: BenchSystem, s: BenchSettings, log: (line: string) => void = () => undefined): Promise<SlowGroupResult> {
  const freshLog = system.freshLog?.bind(system);
  if (!freshLog) throw new Error(`${system.name} is not a Factline system`);
  const rss = new RssSampler();
  const variants: SlowVariant[] = [];
  for (const place of ['same process', 'child process'] as const) {
    const control = await runOnce(freshLog(), s, place, false);
    log(`control, publisher in ${place}: publish p99 ${control.publish.p99Ms.toFixed(2)} ms, billing p99 ${control.billing.p99Ms.toFixed(2)} ms`);
    const slow = await runOnce(freshLog(), s, place, true);
    log(`with email, publisher in ${place}: publish p99 ${slow.publish.p99Ms.toFixed(2)} ms, billing p99 ${slow.billing.p99Ms.toFixed(2)} ms`);
    variants.push({
      publisher: place,
      control,
      slow,
      publishP99Ratio: slow.publish.p99Ms / control.publish.p99Ms,
      billingP99Ratio: slow.billing.p99Ms / control.billing.p99Ms,
    });
  }
  const ratios = variants.flatMap((v) => [v.publishP99Ratio, v.billingP99Ratio]).filter(Number.isFinite);
  return { rate: s.slowRate, seconds: s.slowSeconds, effectMs: s.slowEffectMs, variants, worstRatio: Math.max(...ratios), peakRssMb: rss.stop() };
}
