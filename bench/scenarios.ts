/**
 * The canonical scenarios, written once against {@link BenchTopic} so every system is
 * driven, timed and verified by the same code. Each scenario runs on a fresh topic.
 */
import { errorText, now, perSecond, RssSampler, sleep, summarize, withTimeout } from './measure.js';
import type { BacklogResult, FanOutResult, GroupResult, LatencyResult, ThroughputResult } from './results.js';
import type { BenchSettings } from './settings.js';
import type { BenchEvent, BenchSystem, BenchTopic } from './system.js';
import { DeliveryRecorder } from './verify.js';
import { Workload } from './workload.js';

/** Creates a topic, runs `body`, and always closes the topic. */
export async function withTopic<T>(
  system: BenchSystem,
  groups: number,
  body: (topic: BenchTopic) => Promise<T>,
): Promise<T> {
  const topic = await withTimeout(system.createTopic(groups), 60_000, 'createTopic');
  try {
    return await body(topic);
  } finally {
    await withTimeout(topic.close(), 60_000, 'topic.close').catch((err: unknown) => {
      console.error(`  ${system.name}: closing a topic failed: ${errorText(err)}`);
    });
  }
}

export function chunks(events: readonly BenchEvent[], size: number): (readonly BenchEvent[])[] {
  const out: (readonly BenchEvent[])[] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}

export async function publishAllBatched(topic: BenchTopic, batches: (readonly BenchEvent[])[]): Promise<number> {
  const t0 = now();
  for (const batch of batches) await topic.publishBatch(batch);
  return now() - t0;
}

function throughput(events: number, elapsedMs: number, rss: RssSampler): ThroughputResult {
  return { events, elapsedMs, perSec: perSecond(events, elapsedMs), peakRssMb: rss.stop() };
}

export function publishBatched(system: BenchSystem, wl: Workload, s: BenchSettings): Promise<ThroughputResult> {
  const batches = chunks(wl.all(), s.batchSize);
  return withTopic(system, s.groups, async (topic) => {
    const rss = new RssSampler();
    const elapsed = await publishAllBatched(topic, batches);
    return throughput(wl.size, elapsed, rss);
  });
}

export function publishOneInFlight(system: BenchSystem, wl: Workload, s: BenchSettings): Promise<ThroughputResult> {
  const events = wl.all().slice(0, s.singles);
  return withTopic(system, s.groups, async (topic) => {
    const rss = new RssSampler();
    const t0 = now();
    for (const event of events) await topic.publishOne(event);
    return throughput(events.length, now() - t0, rss);
  });
}

async function publishWithConcurrency(topic: BenchTopic, events: readonly BenchEvent[], concurrency: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < events.length) {
      const event = events[next++];
      if (event) await topic.publishOne(event);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, lane));
}

export function publishConcurrent(system: BenchSystem, wl: Workload, s: BenchSettings): Promise<ThroughputResult> {
  const events = wl.all().slice(0, s.singles);
  return withTopic(system, s.groups, async (topic) => {
    const rss = new RssSampler();
    const t0 = now();
    await publishWithConcurrency(topic, events, s.concurrency);
    return throughput(events.length, now() - t0, rss);
  });
}

/** Waits for every group to complete, or for the deadline; never rejects. */
export async function settleGroups(rec: DeliveryRecorder, groups: number, ms: number): Promise<boolean> {
  const all = Promise.all(Array.from({ length: groups }, (_, g) => rec.whenComplete(g)));
  return withTimeout(all, ms, 'consumers').then(
    () => true,
    () => false,
  );
}

export function fanOut(system: BenchSystem, wl: Workload, s: BenchSettings): Promise<FanOutResult> {
  const batches = chunks(wl.all(), s.batchSize);
  return withTopic(system, s.groups, async (topic) => {
    const rss = new RssSampler();
    const preloadMs = await publishAllBatched(topic, batches);
    const rec = new DeliveryRecorder(wl, s.groups);
    const t0 = now();
    await Promise.all(Array.from({ length: s.groups }, (_, g) => topic.startGroup(g, rec.sink(g))));
    const complete = await settleGroups(rec, s.groups, s.scenarioTimeoutMs);
    const stopped = now();
    const perGroup = Array.from({ length: s.groups }, (_, g): GroupResult => {
      const delivery = rec.delivery(g);
      const elapsedMs = (rec.finishedAt(g) ?? stopped) - t0;
      return { ...delivery, elapsedMs, perSec: perSecond(delivery.received, elapsedMs) };
    });
    return {
      events: wl.size,
      groups: s.groups,
      preloadPerSec: perSecond(wl.size, preloadMs),
      slowestPerSec: Math.min(...perGroup.map((g) => g.perSec)),
      perGroup,
      complete,
      duplicates: perGroup.reduce((sum, g) => sum + g.duplicates, 0),
      peakRssMb: rss.stop(),
    };
  });
}

/** Fixed offered rate of single publishes to one consumer group; publish call to handler start. */
export function latency(system: BenchSystem, s: BenchSettings): Promise<LatencyResult> {
  const wl = new Workload(Math.max(1, Math.round(s.latencyRate * s.latencySeconds)));
  const events = wl.all();
  const maxInFlight = Math.max(100, s.latencyRate);
  return withTopic(system, 1, async (topic) => {
    const rec = new DeliveryRecorder(wl, 1, { latency: true });
    await topic.startGroup(0, rec.sink(0));
    const rss = new RssSampler();
    let sent = 0;
    let inFlight = 0;
    let publishErrors = 0;
    let saturated = false;
    const t0 = now();
    for (let index = 0; index < events.length; ) {
      const due = Math.min(events.length, Math.floor(((now() - t0) * s.latencyRate) / 1000) + 1);
      for (; index < due; index++) {
        const event = events[index];
        if (!event) continue;
        if (inFlight >= maxInFlight) {
          saturated = true;
          continue;
        }
        rec.published(index, now());
        inFlight++;
        sent++;
        topic.publishOne(event).then(
          () => inFlight--,
          () => {
            inFlight--;
            publishErrors++;
          },
        );
      }
      if (index < events.length) await sleep(1);
    }
    const complete = await settleGroups(rec, 1, Math.max(10_000, s.latencySeconds * 1000));
    const delivery = rec.delivery(0);
    const lat = summarize(rec.latencies);
    return {
      offeredPerSec: s.latencyRate,
      seconds: s.latencySeconds,
      sent,
      publishErrors,
      received: delivery.received,
      duplicates: delivery.duplicates,
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      maxMs: lat.max,
      meanMs: lat.mean,
      saturated: saturated || !complete,
      complete,
      peakRssMb: rss.stop(),
    };
  });
}

/** A large backlog published in batches (built on the fly), then drained by one group. */
export function backlog(system: BenchSystem, s: BenchSettings): Promise<BacklogResult> {
  const wl = new Workload(s.backlog);
  return withTopic(system, 1, async (topic) => {
    const rss = new RssSampler();
    const p0 = now();
    for (let i = 0; i < wl.size; i += s.batchSize) await topic.publishBatch(wl.slice(i, i + s.batchSize));
    const publishMs = now() - p0;
    const rec = new DeliveryRecorder(wl, 1);
    const t0 = now();
    await topic.startGroup(0, rec.sink(0));
    const complete = await settleGroups(rec, 1, s.scenarioTimeoutMs);
    const drainMs = (rec.finishedAt(0) ?? now()) - t0;
    const delivery = rec.delivery(0);
    return {
      events: wl.size,
      publishPerSec: perSecond(wl.size, publishMs),
      drainPerSec: perSecond(delivery.received, drainMs),
      drainMs,
      complete,
      duplicates: delivery.duplicates,
      peakRssMb: rss.stop(),
    };
  });
}

/** Untimed: exercises every code path (batch, single, consume) once before measuring. */
export function warmUp(system: BenchSystem, s: BenchSettings): Promise<void> {
  const wl = new Workload(Math.max(2, s.warmupEvents));
  const events = wl.all();
  const half = Math.floor(events.length / 2);
  return withTopic(system, 1, async (topic) => {
    await publishAllBatched(topic, chunks(events.slice(0, half), s.batchSize));
    await publishWithConcurrency(topic, events.slice(half), 16);
    const rec = new DeliveryRecorder(wl, 1);
    await topic.startGroup(0, rec.sink(0));
    if (!(await settleGroups(rec, 1, s.scenarioTimeoutMs))) {
      const d = rec.delivery(0);
      throw new Error(`warm-up: group received ${d.received}/${wl.size} events`);
    }
  });
}
