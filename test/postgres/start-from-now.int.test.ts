import { afterAll, expect, it } from 'vitest';
import { createFactline, type Factline } from '../../src/index.js';
import { postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import { TestPlaced, eventually, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('a startFrom: now group', () => {
  const apps: Factline<PgTx>[] = [];
  afterAll(async () => {
    for (const app of apps) await app.stop();
  });

  const open = (schema: string, poolSize: number) => {
    const app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize }), source: 'test/fromnow', partitions: 16, logger: memoryLogger() });
    apps.push(app);
    return app;
  };

  it('delivers every event published right after app.start() resolves', async () => {
    const schema = freshSchema('fromnow');
    // Another service publishes on its own pool. (Publishes of the consuming app itself queue in
    // its pool behind the partitions' first queries, which can hide a group that fixes its
    // starting position late.)
    const publisher = open(schema, 4);
    await publisher.publish(TestPlaced, { key: 'before', n: -1 });
    const app = open(schema, 8);
    const got = new Set<number>();
    app.consumer('late', { startFrom: 'now', pollMs: 20 }).on(TestPlaced, (e) => void got.add(e.data.n));
    await app.start();
    await publisher.publishAll(Array.from({ length: 40 }, (_, n) => ({ event: TestPlaced, data: { key: `k-${n}`, n } })));
    await eventually('all 40 delivered', () => got.size >= 40, 5000).catch(() => undefined);
    // The event stored before the group existed is not delivered; all 40 after start() are.
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n));
  });
});
