/**
 * One slow-group run on a Factline log: the consuming app (billing, and email unless this is the
 * control) in this process on a fresh log, the publisher either that same app or a child process
 * on the same log (child.ts).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFactline } from 'factline';
import { dropLog, openEngine, type EngineSpec } from '../factline/engine-spec.js';
import { PARTITIONS } from '../factline/event.js';
import { countingLogger } from '../factline/logger.js';
import type { BenchSettings } from '../settings.js';
import { SlowGroupConsumers } from './consumers.js';
import { publishSteadily, slowWindow, type PublishStats } from './pacer.js';
import { SlowEffect } from './slow-effect.js';
import { DRAIN_MS, startProbes, until, type RunProbes, type SlowRun } from './slow-run.js';

export type PublisherPlace = 'same process' | 'child process';

/** How Factline's email group consumes, in words. */
export const FACTLINE_EMAIL_GROUP = `effect() handler, default concurrency 16 x ${PARTITIONS} partitions, per-key order kept`;

const child = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Publishes from a child process; `ready` runs once the child's app has started, before it publishes. */
function publishFromChild(spec: EngineSpec, rate: number, seconds: number, warm: number, ready: () => Promise<void>): Promise<PublishStats> {
  return new Promise((resolve, reject) => {
    const p = fork(child, [JSON.stringify(spec), String(rate), String(seconds), String(warm)], { execArgv: ['--conditions=factline-source', '--import', 'tsx'] });
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

export async function runFactlineOnce(spec: EngineSpec, s: BenchSettings, place: PublisherPlace, withSlow: boolean): Promise<SlowRun> {
  const logger = countingLogger(`slow-group ${withSlow ? 'with email' : 'control'}`);
  const app = createFactline({ engine: openEngine(spec), source: 'bench/orders', partitions: PARTITIONS, logger });
  const email = withSlow ? new SlowEffect(s.slowEffectMs) : undefined;
  const window = slowWindow(s);
  const groups = new SlowGroupConsumers(app, spec, email, window.warm);
  await app.start();
  try {
    await SlowGroupConsumers.createTable(app, spec);
    let probes: RunProbes | undefined;
    const measure = async () => {
      probes = await startProbes();
    };
    let publish: PublishStats;
    if (place === 'same process') {
      await measure();
      publish = await publishSteadily(app, s.slowRate, window.seconds, window.warm);
    } else {
      publish = await publishFromChild(spec, s.slowRate, window.seconds, window.warm, measure);
    }
    if (!probes) throw new Error('the probes did not start');
    const drained = () => groups.billingCommitted() >= publish.sent && (!email || groups.emailHandled >= publish.sent);
    const complete = await until(drained, DRAIN_MS);
    const { consumerStalls, idleStalls } = await probes.stop();
    return {
      publish,
      billing: groups.billing(),
      billingStart: groups.billingStart(),
      ...(email ? { email: { calls: email.calls, handled: groups.emailHandled, maxInFlight: email.maxInFlight } } : {}),
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
