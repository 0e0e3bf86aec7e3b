/** One side of the backlog measurement (see main.ts): publish, or drain with one group. */
import { rmSync } from 'node:fs';
import pg from 'pg';
import { createFactline, type Engine } from 'factline';
import { sqliteEngine } from 'factline/sqlite';
import { postgresEngine } from 'factline/postgres';
import { Workload } from '../workload.js';
import { BenchOrderEvent } from '../factline/system.js';

const [role, kind, target, count] = process.argv.slice(2) as [string, string, string, string];
const events = Number(count);
const url = process.env.FACTLINE_BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const engine = (): Engine<unknown> =>
  (kind === 'sqlite' ? sqliteEngine({ file: target }) : postgresEngine({ connectionString: url, schema: target })) as Engine<unknown>;

async function cleanup() {
  if (kind === 'sqlite') for (const s of ['', '-wal', '-shm']) rmSync(target + s, { force: true });
  else {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await pool.query(`drop schema if exists "${target}" cascade`);
    await pool.end();
  }
}

if (role === 'publish') {
  await cleanup();
  const app = createFactline({ engine: engine(), source: 'bench/orders', partitions: 16 });
  const wl = new Workload(events);
  const t0 = performance.now();
  for (let i = 0; i < events; i += 1000) {
    await app.publishAll(wl.slice(i, i + 1000).map((e) => ({ event: BenchOrderEvent, data: JSON.parse(e.body) as never, options: { id: e.id } })));
  }
  const ms = performance.now() - t0;
  await app.stop();
  process.send!({ perSecond: (events / ms) * 1000 });
} else {
  const startRssMb = process.memoryUsage().rss / 1e6;
  let peak = startRssMb;
  let samples = 0;
  const sampler = setInterval(() => {
    samples++;
    peak = Math.max(peak, process.memoryUsage().rss / 1e6);
  }, 25);
  const app = createFactline({ engine: engine(), source: 'bench/orders', partitions: 16 });
  let handled = 0;
  let committed = 0;
  const done = new Promise<void>((resolve) => {
    // The consumer's defaults (batches of 500), as an app would run it.
    app.consumer('drain', {
      onCommitted: (c) => {
        committed += c.handled;
        if (committed >= events) resolve();
      },
    }).on(BenchOrderEvent, () => void handled++);
  });
  const t0 = performance.now();
  await app.start();
  await done;
  const ms = performance.now() - t0;
  clearInterval(sampler);
  await app.stop();
  await cleanup();
  process.send!({ handled, ms, perSecond: (committed / ms) * 1000, peakRssMb: peak, startRssMb, samples });
}
process.exit(0);
