/**
 * One slow-group run on a peer, through the generic BenchTopic only: a fresh topic with two
 * groups declared (email and billing; the control declares email too, so a peer with one queue
 * per group writes the same jobs, and only leaves them unconsumed); billing is `startGroup`,
 * email is `startRetryingGroup` whose work awaits the slow call; the publisher is
 * `topic.publishOne` from the same pacer as Factline's, in this process. Billing's latency is
 * publish call to handler start (the sink's `started`): a peer reports which events are durable
 * only as counts. The first `slowWarmSeconds` of publishing are left out of the latencies, as for
 * Factline.
 */
import { now } from '../measure.js';
import { withTopic } from '../scenarios.js';
import type { BenchSettings } from '../settings.js';
import type { BenchSystem } from '../system.js';
import { DeliveryRecorder } from '../verify.js';
import { Workload } from '../workload.js';
import { FLAKY_ATTEMPTS } from '../flaky/scenario.js';
import { eventsOf, publishPaced, slowWindow } from './pacer.js';
import { SlowEffect } from './slow-effect.js';
import { DRAIN_MS, latencyStats, startProbes, until, type SlowRun } from './slow-run.js';

const EMAIL_GROUP = 0;
const BILLING_GROUP = 1;
/** Handler calls the email group may have in flight: what Factline's has (16 partitions x 16). */
const SLOW_IN_FLIGHT = 256;

/** A run, and how the peer's email group consumes (startRetryingGroup's own words). */
export interface PeerRun {
  run: SlowRun;
  emailGroup?: string;
}

export function runPeerOnce(system: BenchSystem, s: BenchSettings, withSlow: boolean): Promise<PeerRun> {
  const window = slowWindow(s);
  const wl = new Workload(eventsOf(s.slowRate, window.seconds));
  const events = wl.all();
  return withTopic(system, 2, async (topic) => {
    const billing = new DeliveryRecorder(wl, 1, { latency: true });
    await topic.startGroup(BILLING_GROUP, billing.sink(0));
    let email: { rec: DeliveryRecorder; effect: SlowEffect; words: string } | undefined;
    if (withSlow) {
      if (!topic.startRetryingGroup) throw new Error(`${system.name}: its topics have no startRetryingGroup`);
      const rec = new DeliveryRecorder(wl, 1);
      const effect = new SlowEffect(s.slowEffectMs);
      // The slow call never fails; the retry settings are the flaky scenario's because BullMQ and
      // pg-boss fix them when a queue is made (bullmq-retry.ts, pgboss-retry.ts).
      const options = { retryMs: s.flakyRetryMs, attempts: FLAKY_ATTEMPTS, inFlight: SLOW_IN_FLIGHT };
      const words = await topic.startRetryingGroup(EMAIL_GROUP, effect.call, rec.sink(0), options);
      email = { rec, effect, words };
    }
    const probes = await startProbes();
    const publish = await publishPaced(
      (n) => {
        // The warm-up's events get no publish time: the recorder leaves them out of the latencies.
        if (n >= window.warm) billing.published(n, now());
        return topic.publishOne(events[n]!);
      },
      s.slowRate,
      window.seconds,
      window.warm,
    );
    const drained = () => billing.finishedAt(0) !== undefined && (!email || email.rec.finishedAt(0) !== undefined);
    const complete = await until(drained, DRAIN_MS);
    const { consumerStalls, idleStalls } = await probes.stop();
    const delivery = billing.delivery(0);
    const start = latencyStats(billing.latencies);
    const run: SlowRun = {
      publish,
      billing: { committed: Math.min(delivery.done, delivery.received), ...start },
      billingStart: start,
      ...(email ? { email: { calls: email.effect.calls, handled: Math.min(email.rec.delivery(0).done, wl.size), maxInFlight: email.effect.maxInFlight } } : {}),
      consumerStalls,
      idleStalls,
      complete,
      loggedErrors: 0,
    };
    return { run, ...(email ? { emailGroup: email.words } : {}) };
  });
}
