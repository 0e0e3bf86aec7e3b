import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFactline, type Factline } from '../../src/index.js';
import { appendInTransaction, fromDrizzle, fromKysely, postgresEngine, publishIn, type PgTx } from '../../src/engines/postgres/index.js';
import { TestPlaced, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('publishing in the caller\'s own transaction', () => {
  const schema = freshSchema('callertx');
  let pool: pg.Pool;
  let app: Factline<PgTx>;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
    app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 4 }), source: 'test/orders', partitions: 4, logger: memoryLogger() });
    await app.start();
    await pool.query(`create table "${schema}".orders (id text primary key, total int not null)`);
  });

  afterAll(async () => {
    await app?.stop();
    await pool?.end();
  });

  const orders = async () => (await pool.query(`select id from "${schema}".orders order by id`)).rows.map((r: { id: string }) => r.id);
  const logged = async (id: string) => (await app.engine.admin.findEvent(id)) !== undefined;

  it('commits the row and the events of a pg client inside BEGIN together', async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`insert into "${schema}".orders (id, total) values ('pg-1', 10)`);
      const [a, b] = await publishIn(client, app, [
        { event: TestPlaced, data: { key: 'pg-1', n: 1 } },
        { event: TestPlaced, data: { key: 'pg-1', n: 2 } },
      ]);
      expect(Number(b!.sequence)).toBe(Number(a!.sequence) + 1);
      // Not visible to others before the commit.
      expect(await logged(a!.id)).toBe(false);
      await client.query('commit');
      expect(await orders()).toContain('pg-1');
      expect(await logged(a!.id)).toBe(true);
      expect(await logged(b!.id)).toBe(true);
    } finally {
      client.release();
    }
  });

  it('rolls back the row and the events of a pg client together', async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`insert into "${schema}".orders (id, total) values ('pg-2', 10)`);
      const [a] = await publishIn(client, app, [{ event: TestPlaced, data: { key: 'pg-2', n: 1 } }]);
      await client.query('rollback');
      expect(await orders()).not.toContain('pg-2');
      expect(await logged(a!.id)).toBe(false);
    } finally {
      client.release();
    }
  });

  it('commits and rolls back with a Kysely transaction', async () => {
    const db = new Kysely<Record<string, { id: string; total: number }>>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, max: 2 }) }) });
    try {
      const table = `${schema}.orders`;
      const committed = await db.transaction().execute(async (trx) => {
        await trx.insertInto(table).values({ id: 'ky-1', total: 5 }).execute();
        return publishIn(fromKysely(trx), app, [{ event: TestPlaced, data: { key: 'ky-1', n: 1 } }]);
      });
      const rolledBack: string[] = [];
      await expect(db.transaction().execute(async (trx) => {
        await trx.insertInto(table).values({ id: 'ky-2', total: 5 }).execute();
        const [e] = await publishIn(fromKysely(trx), app, [{ event: TestPlaced, data: { key: 'ky-2', n: 1 } }]);
        rolledBack.push(e!.id);
        throw new Error('card declined');
      })).rejects.toThrow('card declined');
      expect(await orders()).toContain('ky-1');
      expect(await orders()).not.toContain('ky-2');
      expect(await logged(committed[0]!.id)).toBe(true);
      expect(await logged(rolledBack[0]!)).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it('commits and rolls back with a Drizzle transaction', async () => {
    const dpool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const db = drizzle(dpool);
    try {
      const committed = await db.transaction(async (tx) => {
        await tx.execute(sql`insert into ${sql.identifier(schema)}.orders (id, total) values (${'dz-1'}, ${7})`);
        return publishIn(fromDrizzle(tx), app, [{ event: TestPlaced, data: { key: 'dz-1', n: 1 } }]);
      });
      const rolledBack: string[] = [];
      await expect(db.transaction(async (tx) => {
        await tx.execute(sql`insert into ${sql.identifier(schema)}.orders (id, total) values (${'dz-2'}, ${7})`);
        const [e] = await publishIn(fromDrizzle(tx), app, [{ event: TestPlaced, data: { key: 'dz-2', n: 1 } }]);
        rolledBack.push(e!.id);
        throw new Error('out of stock');
      })).rejects.toThrow('out of stock');
      expect(await orders()).toContain('dz-1');
      expect(await orders()).not.toContain('dz-2');
      expect(await logged(committed[0]!.id)).toBe(true);
      expect(await logged(rolledBack[0]!)).toBe(false);
    } finally {
      await dpool.end();
    }
  });

  it('wakes consumers of the app when the caller commits', async () => {
    const seen: string[] = [];
    const unwatch = app.engine.watch(() => seen.push('woken'));
    try {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await publishIn(client, app, [{ event: TestPlaced, data: { key: 'wake', n: 1 } }]);
        await client.query('commit');
      } finally {
        client.release();
      }
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      unwatch();
    }
  });

  it('appends prepared events with appendInTransaction, reading the partition count from the schema', async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const envelope = {
        specversion: '1.0' as const, id: `raw-${Date.now()}`, source: 'test/raw', type: 'test.raw', time: new Date().toISOString(), subject: 'r',
        datacontenttype: 'application/json' as const, dataschema: 'urn:factline:test.raw:1', data: {}, partitionkey: 'r', dataversion: 1, correlationid: 'c',
      };
      const [stored] = await appendInTransaction(client, { schema }, [{ partition: 3, envelope }]);
      await client.query('commit');
      const found = await app.engine.admin.findEvent(envelope.id);
      expect(found?.sequence).toBe(stored!.sequence);
      expect(JSON.parse(found!.body)).toMatchObject({ id: envelope.id, sequence: stored!.envelope.sequence });
    } finally {
      client.release();
    }
  });
});
