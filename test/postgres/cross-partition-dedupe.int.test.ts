import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFactline, partitionOf, type Factline } from '../../src/index.js';
import { postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import { TestPlaced, eventually, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

const PARTITIONS = 16;

/** Pairs of keys whose events land in different partitions. */
function keyPairs(count: number): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; pairs.length < count; i++) {
    const a = `a-${i}`;
    const b = `b-${i}`;
    if (partitionOf(a, PARTITIONS) !== partitionOf(b, PARTITIONS)) pairs.push([a, b]);
  }
  return pairs;
}

describePg('one (source, id) across partitions', () => {
  const schema = freshSchema('xpart');
  let pool: pg.Pool;
  let app: Factline<PgTx>;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 24 }), source: 'test/xpart', partitions: PARTITIONS, logger: memoryLogger() });
  });

  afterAll(async () => {
    await app?.stop();
    await pool?.end();
  });

  it('PostgreSQL applies one (source, id) twice when its copies land in different partitions (a re-publish that computes a different key)', async () => {
    const pairs = keyPairs(6);
    // Both copies of each id are stored before any consumer runs, so the two partitions' batches overlap.
    await app.publishAll(pairs.flatMap(([a, b], i) => [
      { event: TestPlaced, data: { key: a, n: i }, options: { id: `dup-${i}` } },
      { event: TestPlaced, data: { key: b, n: i }, options: { id: `dup-${i}` } },
    ]));
    await pool.query(`create table "${schema}".effects (rid bigserial primary key, event_id text not null, key text not null)`);
    let calls = 0;
    app.consumer('ledger', { pollMs: 20 }).on(TestPlaced, async (e, ctx) => {
      calls++;
      await ctx.db.query(`insert into "${schema}".effects (event_id, key) values ($1, $2)`, [e.id, e.data.key]);
      // Keeps the transaction open while the other partition reaches the same id.
      await new Promise((r) => setTimeout(r, 300));
    });
    await app.start();
    await eventually('every partition at its head', async () => {
      const status = (await app.engine.admin.status()).filter((s) => s.group === 'ledger');
      return status.length === PARTITIONS && status.every((s) => s.position === s.head);
    });
    const rows = (await pool.query(`select event_id, count(*)::int as n from "${schema}".effects group by event_id order by event_id`)).rows;
    expect(rows).toEqual(pairs.map((_, i) => ({ event_id: `dup-${i}`, n: 1 })).sort((x, y) => x.event_id.localeCompare(y.event_id)));
    expect(calls).toBe(pairs.length);
    const inbox = (await pool.query(`select count(*)::int as n from "${schema}".inbox where grp = 'ledger'`)).rows[0];
    expect(inbox).toEqual({ n: pairs.length });
  });
});
