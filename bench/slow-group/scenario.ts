/**
 * Slow group beside publishers: an app publishes at a steady rate (200 ev/s for 20 s) while group
 * `email` awaits 200 ms per event and group `billing` writes a row (a processed mark) per event.
 * Measured: publish latency and errors, event-loop stalls of the publishing process, billing's
 * end-to-end latency; and the same again without the email group (the control), on a fresh log
 * or topic each time.
 *
 * Factline (factline-run.ts) through its own API: `app.publish()`, `email` an effect handler,
 * `billing` a store handler whose latency is measured to the commit of its row and to its
 * handler's start; two variants: the publisher is the app that consumes (one process), or a child
 * process on the same log (file or schema).
 *
 * The peers (peer-run.ts) through the generic BenchTopic: `topic.publishOne()` from the same
 * pacer, `email` = startRetryingGroup with the slow call as its work, `billing` = startGroup,
 * latency to its handler's start. Same process only: a peer's publisher in another process would
 * share only the server, where Factline's shares a file or a schema.
 */
import { RssSampler } from '../measure.js';
import type { BenchSettings } from '../settings.js';
import type { BenchSystem } from '../system.js';
import { FACTLINE_EMAIL_GROUP, runFactlineOnce, type PublisherPlace } from './factline-run.js';
import { runPeerOnce } from './peer-run.js';
import type { SlowRun } from './slow-run.js';

export type { PublisherPlace, SlowRun };

export interface SlowVariant {
  publisher: PublisherPlace;
  control: SlowRun;
  slow: SlowRun;
  /** With email / control, on publish p99. */
  publishP99Ratio: number;
  /** With email / control, on billing's p99 (to commit for Factline, to handler start for a peer). */
  billingP99Ratio: number;
  /** With email / control, on billing's publish-to-handler-start p99 (every system alike). */
  billingStartP99Ratio: number;
}

export interface SlowGroupResult {
  rate: number;
  seconds: number;
  effectMs: number;
  /** What `billing` of each run measures to: the commit of its row (Factline) or its handler's start (a peer). */
  billingTo: 'commit' | 'handler start';
  /** How the email group consumes, in the system's words (its startRetryingGroup line for a peer). */
  emailGroup: string;
  variants: SlowVariant[];
  /** The worst of the ratios (the --runs median is taken on it). */
  worstRatio: number;
  peakRssMb: number;
}

function variant(publisher: PublisherPlace, control: SlowRun, slow: SlowRun): SlowVariant {
  return {
    publisher,
    control,
    slow,
    publishP99Ratio: slow.publish.p99Ms / control.publish.p99Ms,
    billingP99Ratio: slow.billing.p99Ms / control.billing.p99Ms,
    billingStartP99Ratio: slow.billingStart.p99Ms / control.billingStart.p99Ms,
  };
}

function summary(run: SlowRun): string {
  return `publish p99 ${run.publish.p99Ms.toFixed(2)} ms, billing p99 ${run.billing.p99Ms.toFixed(2)} ms, start p99 ${run.billingStart.p99Ms.toFixed(2)} ms`;
}

export async function slowGroup(system: BenchSystem, s: BenchSettings, log: (line: string) => void = () => undefined): Promise<SlowGroupResult> {
  const rss = new RssSampler();
  const variants: SlowVariant[] = [];
  let emailGroup = FACTLINE_EMAIL_GROUP;
  const freshLog = system.freshLog?.bind(system);
  if (freshLog) {
    for (const place of ['same process', 'child process'] as const) {
      const control = await runFactlineOnce(freshLog(), s, place, false);
      log(`control, publisher in ${place}: ${summary(control)}`);
      const slow = await runFactlineOnce(freshLog(), s, place, true);
      log(`with email, publisher in ${place}: ${summary(slow)}`);
      variants.push(variant(place, control, slow));
    }
  } else {
    const control = await runPeerOnce(system, s, false);
    log(`control: ${summary(control.run)}`);
    const slow = await runPeerOnce(system, s, true);
    log(`with email: ${summary(slow.run)}`);
    emailGroup = slow.emailGroup ?? 'startRetryingGroup';
    variants.push(variant('same process', control.run, slow.run));
  }
  const ratios = variants.flatMap((v) => [v.publishP99Ratio, v.billingP99Ratio]).filter(Number.isFinite);
  return {
    rate: s.slowRate,
    seconds: s.slowSeconds,
    effectMs: s.slowEffectMs,
    billingTo: freshLog ? 'commit' : 'handler start',
    emailGroup,
    variants,
    worstRatio: Math.max(...ratios),
    peakRssMb: rss.stop(),
  };
}
