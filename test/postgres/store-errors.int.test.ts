import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { createFactline, FactlineError, type Factline } from '../../src/index.js';
import { StoreError } from '../../src/core/errors.js';
import { postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import { TestPlaced, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('errors of the engine\'s own statements', () => {
  const opened: { app: Factline<PgTx>; pool: pg.Pool }[] = [];
  afterEach(async () => {
    for (const { app, pool } of opened.splice(0)) {
      await app.stop();
      await pool.end();
    }
  });

  /** A started app on a fresh schema whose events table refuses inserts with `errcode`. */
  async function refusingInserts(errcode: string): Promise<{ app: Factline<PgTx>; pool: pg.Pool; schema: string }> {
    const schema = freshSchema('storeerr');
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 4 }), source: 'test/storeerr', partitions: 2, logger: memoryLogger() });
    opened.push({ app, pool });
    await app.start();
    await pool.query(`
      create function "${schema}".refuse() returns trigger language plpgsql as $$
      begin raise exception 'test refuses inserts into events' using errcode = '${errcode}'; end $$;
      create trigger refuse before insert on "${schema}".events for each row execute function "${schema}".refuse()`);
    return { app, pool, schema };
  }

  it('raw pg DatabaseError escapes', async () => {
    const { app } = await refusingInserts('P0001');
    const err = await app.publish(TestPlaced, { key: 'k', n: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toBeInstanceOf(FactlineError);
    expect((err as FactlineError).code).toBe('STORE_ERROR');
    expect((err as Error).message).toMatch(/^append: PostgreSQL refused .*P0001.*test refuses inserts.*nothing of it was stored/);
    const cause = (err as Error).cause;
    expect(cause).toBeInstanceOf(pg.DatabaseError);
    expect((cause as pg.DatabaseError).code).toBe('P0001');

    // The same inside a transaction: tx.publish is the engine's statement.
    const inTx = await app.transaction((tx) => tx.publish(TestPlaced, { key: 'k', n: 2 })).catch((e: unknown) => e);
    expect(inTx).toMatchObject({ code: 'STORE_ERROR', cause: expect.any(pg.DatabaseError) });
  });

  it('raw pg DatabaseError escapes: a refused write is STORE_READ_ONLY (25006), a full disk STORE_FULL (53100)', async () => {
    const readOnly = await refusingInserts('25006');
    await expect(readOnly.app.publish(TestPlaced, { key: 'k', n: 1 })).rejects.toMatchObject({
      name: 'StoreError', code: 'STORE_READ_ONLY', message: expect.stringMatching(/refuses writes.*connect to the primary/), cause: expect.objectContaining({ code: '25006' }),
    });
    const full = await refusingInserts('53100');
    await expect(full.app.publishAll([{ event: TestPlaced, data: { key: 'k', n: 1 } }])).rejects.toMatchObject({
      code: 'STORE_FULL', message: expect.stringMatching(/out of disk space.*free space/), cause: expect.objectContaining({ code: '53100' }),
    });
  });

  it('raw pg DatabaseError escapes: reads and admin calls on a broken schema', async () => {
    const { app, pool, schema } = await refusingInserts('P0001');
    await pool.query(`alter table "${schema}".events rename to events_gone`);
    await expect(app.engine.read(0, 0, 10)).rejects.toMatchObject({ code: 'STORE_ERROR', cause: expect.objectContaining({ code: '42P01' }) });
    await expect(app.engine.admin.findEvent('x')).rejects.toMatchObject({ code: 'STORE_ERROR', cause: expect.objectContaining({ code: '42P01' }) });
  });

  it('passes errors of user code and of the user\'s own queries on tx.db unchanged', async () => {
    const { app } = await refusingInserts('P0001');
    const queryError = await app.transaction(async (tx) => {
      await tx.db.query('select 1 / 0');
    }).catch((e: unknown) => e);
    expect(queryError).toBeInstanceOf(pg.DatabaseError);
    expect(queryError).not.toBeInstanceOf(FactlineError);
    expect((queryError as pg.DatabaseError).code).toBe('22012');
    const mine = new Error('mine');
    await expect(app.transaction(() => Promise.reject(mine))).rejects.toBe(mine);
  });
});
