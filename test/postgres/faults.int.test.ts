import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFactline, FactlineError, type Factline } from '../../src/index.js';
import { ConnectionLostError, postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import { TestPlaced, eventually, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('lost connections', () => {
  const schema = freshSchema('faults');
  let pool: pg.Pool;
  let app: Factline<PgTx>;
  let killed = 0;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 4 }), source: 'test/faults', partitions: 1, logger: memoryLogger() });
    await app.start();
    await pool.query(`create table "${schema}".effects (rid bigserial primary key, event_id text not null, n int not null)`);
  });

  afterAll(async () => {
    await app?.stop();
    await pool?.end();
  });

  it('gives a publisher a CONNECTION_LOST error and rolls its transaction back', async () => {
    let id = '';
    const err = await app.transaction(async (tx) => {
      id = (await tx.publish(TestPlaced, { key: 'lost', n: 1 })).id;
      await tx.db.query('select pg_terminate_backend(pg_backend_pid())');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FactlineError);
    expect((err as FactlineError).code).toBe('CONNECTION_LOST');
    expect((err as Error).message).toMatch(/nothing was committed; try again/);
    expect((err as ConnectionLostError).mayHaveCommitted).toBe(false);
    expect(await app.engine.admin.findEvent(id)).toBeUndefined();
    // The broken connection was dropped: the next publish works.
    const ok = await app.publish(TestPlaced, { key: 'lost', n: 2 });
    expect(await app.engine.admin.findEvent(ok.id)).toBeDefined();
  });

  it('refuses to report a commit of a transaction that PostgreSQL rolled back after a caught error', async () => {
    let id = '';
    const err = await app.transaction(async (tx) => {
      id = (await tx.publish(TestPlaced, { key: 'aborted', n: 1 })).id;
      await tx.db.query('select 1 / 0').catch(() => undefined);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FactlineError);
    expect((err as FactlineError).code).toBe('TRANSACTION_ABORTED');
    expect(await app.engine.admin.findEvent(id)).toBeUndefined();
  });

  it('says so when user code ends the transaction itself', async () => {
    const err = await app.transaction(async (tx) => {
      await tx.publish(TestPlaced, { key: 'ended', n: 1 });
      await tx.db.query('rollback');
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSACTION_ENDED' });
  });

  it('settles a publish whose connection broke while appending, storing each event once and refusing none', async () => {
    const killer = new pg.Client({ connectionString: PG_URL });
    await killer.connect();
    const acknowledged: string[] = [];
    const errors: unknown[] = [];
    let publishing = true;
    const loops = Array.from({ length: 40 }, async (_, p) => {
      for (let n = 0; publishing; n++) {
        try {
          acknowledged.push((await app.publish(TestPlaced, { key: `settle-${p}-${n % 3}`, n })).id);
        } catch (err) {
          errors.push(err);
        }
      }
    });
    let killed = 0;
    try {
      for (let i = 0; i < 15; i++) {
        await new Promise((r) => setTimeout(r, 30));
        // Ends the connections that are running an append right now: committed or not, the client cannot tell.
        const res = await killer.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and state = 'active' and query like $1",
          [`%"${schema}".append%(%`],
        );
        killed += res.rowCount ?? 0;
      }
    } finally {
      publishing = false;
      await Promise.all(loops);
      await killer.end();
    }
    expect(killed).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    const rows = (await pool.query(`select id, count(*)::int as n from "${schema}".events where id = any($1) group by id`, [acknowledged])).rows as { id: string; n: number }[];
    expect(rows.length).toBe(acknowledged.length);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
  });

  it('refuses queries on the db of a transaction that has ended', async () => {
    let kept: PgTx | undefined;
    await app.transaction(async (tx) => {
      kept = tx.db;
    });
    await expect(kept!.query('select 1')).rejects.toMatchObject({ code: 'TRANSACTION_ENDED' });
  });

  it('rolls back a whole batch whose connection is lost, then handles every event once', async () => {
    const kill = new pg.Pool({ connectionString: PG_URL, max: 1 });
    const consumer = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 4 }), source: 'test/faults', partitions: 1, logger: memoryLogger() });
    consumer.consumer('effects', { batchSize: 50, pollMs: 20 }).on(TestPlaced, async (e, ctx) => {
      await ctx.db.query(`insert into "${schema}".effects (event_id, n) values ($1, $2)`, [e.id, e.data.n]);
      if (e.data.key === 'batch' && e.data.n === 25 && killed === 0) {
        killed++;
        // Another session ends this transaction's connection, as a network failure or a server crash would.
        const pid = (await ctx.db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
        await kill.query('select pg_terminate_backend($1)', [pid]);
      }
    });
    const published = await app.publishAll(Array.from({ length: 40 }, (_, n) => ({ event: TestPlaced, data: { key: 'batch', n } })));
    await consumer.start();
    try {
      await eventually('every event handled', async () => {
        const rows = (await pool.query(`select event_id from "${schema}".effects`)).rows as { event_id: string }[];
        return published.every((p) => rows.some((r) => r.event_id === p.id));
      });
      expect(killed).toBe(1);
      const counts = (await pool.query(`select event_id, count(*)::int as n from "${schema}".effects group by event_id`)).rows as { event_id: string; n: number }[];
      const byId = new Map(counts.map((c) => [c.event_id, c.n]));
      expect(published.map((p) => byId.get(p.id))).toEqual(published.map(() => 1));
      // No dead letter: the broken batch was retried as a whole, not recorded as a handler failure.
      expect(await consumer.engine.admin.listDeadLetters({ group: 'effects' })).toEqual([]);
    } finally {
      await consumer.stop();
      await kill.end();
    }
  });
});
