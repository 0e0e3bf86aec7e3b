import { afterAll, expect, it } from 'vitest';
import { createFactline, type Factline } from '../../src/index.js';
import { postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import { TestPlaced, eventually, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('one (source, id) twice in one partition', () => {
  let app: Factline<PgTx> | undefined;
  afterAll(async () => {
    await app?.stop();
  });

  it('handles one copy of an event whose (source, id) appears twice in one consumer batch', async () => {
    const schema = freshSchema('twice');
    app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 8 }), source: 'test/twice', partitions: 4, logger: memoryLogger() });
    // Stored before the group starts, so that both copies are read in one batch.
    await app.publishAll([
      { event: TestPlaced, data: { key: 'k', n: 1 }, options: { id: 'twice-1' } },
      { event: TestPlaced, data: { key: 'k', n: 1 }, options: { id: 'twice-1' } },
      { event: TestPlaced, data: { key: 'k', n: 2 }, options: { id: 'twice-2' } },
    ]);
    const calls: string[] = [];
    app.consumer('ledger', { pollMs: 20 }).on(TestPlaced, (e) => void calls.push(e.id));
    await app.start();
    await eventually('every partition at its head', async () => {
      const status = (await app!.engine.admin.status()).filter((s) => s.group === 'ledger');
      return status.length === 4 && status.every((s) => s.position === s.head);
    });
    expect(calls).toEqual(['twice-1', 'twice-2']);
    expect(await app.engine.handled('ledger', [{ source: 'test/twice', id: 'twice-1' }])).toEqual(new Set(['test/twice\u0000twice-1']));
  });
});
