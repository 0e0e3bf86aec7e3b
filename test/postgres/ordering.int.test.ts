import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFactline, type Factline } from '../../src/index.js';
import { postgresEngine, publishIn, type PgTx } from '../../src/engines/postgres/index.js';
import { TestPlaced, eventually, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describePg('reading while transactions commit out of order', () => {
  const schema = freshSchema('order');
  let pool: pg.Pool;
  let app: Factline<PgTx>;
  const received = { billing: new Set<string>(), shipping: new Set<string>() };

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 10 });
    app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 6 }), source: 'test/order', partitions: 2, logger: memoryLogger() });
    for (const group of ['billing', 'shipping'] as const) {
      app.consumer(group, { pollMs: 5, batchSize: 7 }).on(TestPlaced, (e) => void received[group].add(e.id));
    }
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await pool?.end();
  });

  it('does not skip events whose transactions commit out of order', async () => {
    const committed = new Set<string>();
    const rolledBack = new Set<string>();
    // A reader that advances like a partition worker: it only ever asks for sequence > last seen.
    const readerSeen = new Set<string>();
    let writing = true;
    const reader = (async () => {
      const positions = [0, 0];
      while (writing || readerSeen.size < committed.size) {
        for (const p of [0, 1]) {
          const batch = await app.engine.read(p, positions[p]!, 5);
          for (const r of batch) readerSeen.add(r.id);
          if (batch.length) positions[p] = batch[batch.length - 1]!.sequence;
        }
        if (!writing && readerSeen.size >= committed.size) break;
        await sleep(1);
      }
    })();

    const writer = async (w: number) => {
      for (let round = 0; round < 12; round++) {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const stored = await publishIn(client, app, Array.from({ length: 1 + ((w + round) % 3) }, (_, i) => ({
            event: TestPlaced, data: { key: `k${(w * 7 + round + i) % 5}`, n: round },
          })));
          // Commit after a random delay, so that transactions that appended later often commit first.
          await sleep(Math.random() * 25);
          if ((w + round) % 5 === 0) {
            await client.query('rollback');
            for (const e of stored) rolledBack.add(e.id);
          } else {
            await client.query('commit');
            for (const e of stored) committed.add(e.id);
          }
        } finally {
          client.release();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    writing = false;
    await reader;

    expect(committed.size).toBeGreaterThan(100);
    expect([...committed].filter((id) => !readerSeen.has(id))).toEqual([]);
    expect([...readerSeen].filter((id) => rolledBack.has(id))).toEqual([]);
    for (const group of ['billing', 'shipping'] as const) {
      await eventually(`${group} received every committed event`, () => [...committed].every((id) => received[group].has(id)));
      expect([...received[group]].filter((id) => rolledBack.has(id))).toEqual([]);
    }

    // Rolled-back appends leave no gaps: each partition holds 1..head.
    const rows = (await pool.query(`select partition, count(*)::int as n, max(sequence)::int as max from "${schema}".events group by partition`)).rows as { n: number; max: number }[];
    for (const r of rows) expect(r.max).toBe(r.n);
  });
});

describePg('appends in transactions that interleave', () => {
  const schema = freshSchema('deadlock');
  let pool: pg.Pool;
  let app: Factline<PgTx>;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
    app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 2 }), source: 'test/order', partitions: 4, logger: memoryLogger() });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await pool?.end();
  });

  it('does not deadlock when two transactions append to the same partitions in opposite orders', async () => {
    // Keys of two different partitions.
    const { partitionOf } = await import('../../src/index.js');
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const low = keys.find((k) => partitionOf(k, 4) === 1)!;
    const high = keys.find((k) => partitionOf(k, 4) === 3)!;
    const [a, b] = [await pool.connect(), await pool.connect()];
    try {
      await a.query('begin');
      await b.query('begin');
      await publishIn(a, app, [{ event: TestPlaced, data: { key: high, n: 1 } }]);
      // b waits for a here (a holds the heads of partitions 0 to 3)...
      const bDone = (async () => {
        await publishIn(b, app, [{ event: TestPlaced, data: { key: low, n: 2 } }]);
        await publishIn(b, app, [{ event: TestPlaced, data: { key: high, n: 3 } }]);
        await b.query('commit');
      })();
      await sleep(100);
      // ...and a appends to the lower partition next: with locks taken per partition this would deadlock.
      await publishIn(a, app, [{ event: TestPlaced, data: { key: low, n: 4 } }]);
      await a.query('commit');
      await bDone;
    } finally {
      a.release();
      b.release();
    }
    const rows = (await pool.query(`select partition, sequence, body from "${schema}".events order by partition, sequence`)).rows as { partition: number; sequence: string; body: string }[];
    expect(rows.map((r) => [r.partition, Number(r.sequence), (JSON.parse(r.body) as { data: { n: number } }).data.n])).toEqual([
      [1, 1, 4], [1, 2, 2], [3, 1, 1], [3, 2, 3],
    ]);
  });
});
