import { afterAll, expect, it, vi } from 'vitest';
import { createFactline } from '../../src/index.js';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import { TestPlaced, eventually, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('a schema name of 48 characters, the longest allowed', () => {
  const base = freshSchema('long');
  const schema = `${base}_${'x'.repeat(47 - base.length)}`;
  const app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 4 }), source: 'test/long', partitions: 2, logger: memoryLogger() });
  const seen: number[] = [];
  app.consumer('billing').on(TestPlaced, (e) => void seen.push(e.data.n));

  const printed = vi.spyOn(console, 'error');
  afterAll(async () => {
    printed.mockRestore();
    await app.stop();
  });

  it('publishes, consumes and reports, with prepared statement names PostgreSQL keeps whole', async () => {
    expect(schema.length).toBe(48);
    await app.start();
    for (let n = 0; n < 5; n++) await app.publish(TestPlaced, { key: `k${n}`, n });
    await eventually('every event handled', () => seen.length === 5);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    const status = await app.engine.admin.status();
    expect(status.filter((s) => s.group === 'billing').reduce((sum, s) => sum + s.position, 0)).toBe(5);
    // node-postgres says so on stderr when a statement's name is longer than PostgreSQL keeps.
    expect(printed.mock.calls.map((c) => c.join(' ')).filter((line) => /You supplied|cause conflicts/.test(line))).toEqual([]);
  });
});
