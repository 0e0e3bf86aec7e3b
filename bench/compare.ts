/**
 * Factline on SQLite against another checkout of Factline, in one process, runs interleaved
 * (this, other, other, this, ...): on a machine whose speed drifts, both sides see the same drift.
 *
 *   npx tsx --conditions=factline-source bench/compare.ts --against ../factline-old [--scenario fan-out] [--runs 8]
 *
 * Scenarios: `fan-out` (100,000 events published in batches, then drained by 3 groups, each an
 * app of its own, store handlers, batchSize 1000; ev/s from the groups' start to the last
 * commit), `latency` (2,000 ev/s for 5 s of single publishes from one app, one group in another
 * app; publish call to handler start), `batched` (100,000 events in publishAll batches of 1,000)
 * and `one-in-flight` (3,000 single publishes, one at a time). CPU is the process's user + system
 * time during the measured part. The first run of each side is a warm-up and left out of the medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

interface Lib {
  defineEvent(def: { type: string; version: number; schema: z.ZodType; subject: (d: Body) => string }): unknown;
  createFactline(options: { engine: unknown; source: string; partitions: number }): App;
  sqliteEngine(options: { file: string }): unknown;
}
interface App {
  start(): Promise<void>;
  stop(): Promise<void>;
  publish(event: unknown, data: Body, options: { id: string }): Promise<unknown>;
  publishAll(items: { event: unknown; data: Body; options: { id: string } }[]): Promise<unknown>;
  consumer(name: string, options: { batchSize?: number; onCommitted?: (c: { partition: number; position: number }) => void }): { on(event: unknown, fn: (e: { id: string }) => void): unknown };
}
type Body = (typeof bodies)[number];
interface Sample {
  value: number;
  p99?: number;
  cpuMs: number;
}

const PARTITIONS = 16;
const EVENTS = 100_000;
const schema = z.object({
  id: z.string(),
  type: z.string(),
  key: z.string(),
  occurredAt: z.string(),
  data: z.object({ orderId: z.string(), amountCents: z.number().int(), currency: z.string(), lines: z.number().int(), channel: z.string(), note: z.string() }),
});
const bodies = Array.from({ length: EVENTS }, (_, i) => ({
  id: `e${i}`,
  type: 'order.placed',
  key: `k${i % 1000}`,
  occurredAt: new Date(1e12 + i).toISOString(),
  data: { orderId: `o${i}`, amountCents: i, currency: 'EUR', lines: 3, channel: 'web', note: 'n'.repeat(100) },
}));

async function load(root: string): Promise<Lib> {
  const at = (p: string) => pathToFileURL(join(root, p)).href;
  return { ...(await import(at('src/index.ts'))), ...(await import(at('src/engines/sqlite/index.ts'))) } as Lib;
}

/** A fresh log file, its apps stopped and its directory removed after `fn`. */
async function onFreshLog<T>(lib: Lib, fn: (app: () => App, event: unknown) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'factline-compare-'));
  const file = join(dir, 'log.db');
  const event = lib.defineEvent({ type: 'bench.order.event', version: 1, schema, subject: (d) => d.key });
  const apps: App[] = [];
  const app = () => {
    const a = lib.createFactline({ engine: lib.sqliteEngine({ file }), source: 'bench/orders', partitions: PARTITIONS });
    apps.push(a);
    return a;
  };
  try {
    return await fn(app, event);
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function measured<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  return fn().then((result) => {
    const used = process.cpuUsage(cpu);
    return { result, ms: performance.now() - t0, cpuMs: (used.user + used.system) / 1000 };
  });
}

const batchesOf = (event: unknown, from: number, to: number) =>
  Array.from({ length: Math.ceil((to - from) / 1000) }, (_, b) => bodies.slice(from + b * 1000, Math.min(to, from + (b + 1) * 1000)).map((d) => ({ event, data: d, options: { id: d.id } })));

const scenarios: Record<string, (lib: Lib) => Promise<Sample>> = {
  'fan-out': (lib) =>
    onFreshLog(lib, async (app, event) => {
      const publisher = app();
      await publisher.start();
      for (const batch of batchesOf(event, 0, EVENTS)) await publisher.publishAll(batch);
      const groups = 3;
      let left = groups * EVENTS;
      let drained!: () => void;
      const done = new Promise<void>((r) => (drained = r));
      const m = await measured(async () => {
        for (let g = 0; g < groups; g++) {
          const a = app();
          const positions = new Array<number>(PARTITIONS).fill(0);
          const onCommitted = ({ partition, position }: { partition: number; position: number }) => {
            const moved = position - positions[partition]!;
            if (moved <= 0) return;
            positions[partition] = position;
            left -= moved;
            if (left === 0) drained();
          };
          a.consumer(`group-${g}`, { batchSize: 1000, onCommitted }).on(event, () => undefined);
          await a.start();
        }
        await done;
      });
      return { value: (EVENTS / m.ms) * 1000, cpuMs: m.cpuMs };
    }),
  latency: (lib) =>
    onFreshLog(lib, async (app, event) => {
      const publisher = app();
      const consumer = app();
      const count = 10_000;
      const rate = 2_000;
      const sentAt = new Map<string, number>();
      const latencies: number[] = [];
      let finished!: () => void;
      const done = new Promise<void>((r) => (finished = r));
      consumer.consumer('g', {}).on(event, (e) => {
        latencies.push(performance.now() - sentAt.get(e.id)!);
        if (latencies.length === count) finished();
      });
      await publisher.start();
      await consumer.start();
      const m = await measured(async () => {
        const t0 = performance.now();
        for (let i = 0; i < count; ) {
          const due = Math.min(count, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
          for (; i < due; i++) {
            const d = bodies[i]!;
            sentAt.set(d.id, performance.now());
            void publisher.publish(event, d, { id: d.id });
          }
          await new Promise((r) => setTimeout(r, 1));
        }
        await done;
      });
      latencies.sort((a, b) => a - b);
      return { value: latencies[Math.floor(count * 0.5)]!, p99: latencies[Math.floor(count * 0.99)]!, cpuMs: m.cpuMs };
    }),
  batched: (lib) =>
    onFreshLog(lib, async (app, event) => {
      const publisher = app();
      await publisher.start();
      const batches = batchesOf(event, 0, EVENTS);
      const m = await measured(async () => {
        for (const batch of batches) await publisher.publishAll(batch);
      });
      return { value: (EVENTS / m.ms) * 1000, cpuMs: m.cpuMs };
    }),
  'one-in-flight': (lib) =>
    onFreshLog(lib, async (app, event) => {
      const publisher = app();
      await publisher.start();
      const count = 3_000;
      const m = await measured(async () => {
        for (let i = 0; i < count; i++) await publisher.publish(event, bodies[i]!, { id: bodies[i]!.id });
      });
      return { value: (count / m.ms) * 1000, cpuMs: m.cpuMs };
    }),
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const against = arg('--against');
  if (!against) throw new Error('usage: bench/compare.ts --against <another Factline checkout> [--scenario fan-out|latency|batched|one-in-flight] [--runs n]');
  const name = arg('--scenario') ?? 'fan-out';
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}`);
  const runs = Number(arg('--runs') ?? 8);
  const sides = { this: await load(resolve(import.meta.dirname, '..')), other: await load(resolve(against)) };
  const samples: Record<keyof typeof sides, Sample[]> = { this: [], other: [] };
  const unit = name === 'latency' ? 'ms p50' : 'ev/s';
  for (let run = 0; run < runs; run++) {
    for (const side of run % 2 === 0 ? (['this', 'other'] as const) : (['other', 'this'] as const)) {
      const s = await scenario(sides[side]);
      samples[side].push(s);
      console.log(`${side.padEnd(5)} ${s.value.toFixed(name === 'latency' ? 2 : 0)} ${unit}${s.p99 === undefined ? '' : `, p99 ${s.p99.toFixed(2)} ms`}, cpu ${s.cpuMs.toFixed(0)} ms`);
    }
  }
  for (const side of ['this', 'other'] as const) {
    const kept = samples[side].slice(1);
    const p99 = kept.every((s) => s.p99 !== undefined) ? `, p99 ${median(kept.map((s) => s.p99!)).toFixed(2)} ms` : '';
    console.log(`${side} median of ${kept.length}: ${median(kept.map((s) => s.value)).toFixed(name === 'latency' ? 2 : 0)} ${unit}${p99}, cpu ${median(kept.map((s) => s.cpuMs)).toFixed(0)} ms`);
  }
}

await main();
