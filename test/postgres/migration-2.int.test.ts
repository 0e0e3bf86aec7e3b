import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoreMismatchError } from '../../src/index.js';
import { LATEST_MIGRATION, migrate, postgresEngine } from '../../src/engines/postgres/index.js';
import { runMigrations } from '../../src/engines/postgres/migrations.js';
import type { PgPoolClient } from '../../src/engines/postgres/types.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('migration 2 (inbox claims, starts)', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
  });

  /** A schema as Factline left it at migration 1, with one handled event. */
  async function atMigration1(): Promise<string> {
    const schema = freshSchema('mig2');
    const client = await pool.connect();
    try {
      await runMigrations(client as unknown as PgPoolClient, schema, true, 1);
    } finally {
      client.release();
    }
    await pool.query(`insert into "${schema}".meta (key, value) values ('format', 'factline-log'), ('partitions', '4')`);
    await pool.query(`insert into "${schema}".partitions (partition, head) select p, 0 from generate_series(0, 3) as p`);
    await pool.query(`insert into "${schema}".inbox (grp, id, source, handled_at) values ('g', 'old-1', 'test/mig2', 1)`);
    return schema;
  }

  it('brings a schema at migration 1 to the latest, keeping its inbox', async () => {
    expect(LATEST_MIGRATION).toBeGreaterThanOrEqual(2);
    const schema = await atMigration1();
    const manual = postgresEngine({ connectionString: PG_URL, schema, migrate: 'manual', poolSize: 2 });
    await expect(manual.open({ partitions: 4 })).rejects.toThrow(StoreMismatchError);
    await manual.close();

    expect(await migrate({ connectionString: PG_URL, schema })).toEqual({ schema, from: 1, to: LATEST_MIGRATION });
    expect(await migrate({ connectionString: PG_URL, schema })).toEqual({ schema, from: LATEST_MIGRATION, to: LATEST_MIGRATION });
    const versions = (await pool.query(`select version from "${schema}".migrations order by version`)).rows.map((r: { version: number }) => r.version);
    expect(versions).toEqual(Array.from({ length: LATEST_MIGRATION }, (_, i) => i + 1));

    const engine = postgresEngine({ connectionString: PG_URL, schema, migrate: 'manual', poolSize: 2 });
    try {
      await engine.open({ partitions: 4 });
      expect(await engine.handled('g', [{ source: 'test/mig2', id: 'old-1' }])).toEqual(new Set(['test/mig2\u0000old-1']));
      await engine.heartbeat('g', 'm', 60_000);
      const lease = { group: 'g', partition: 0, member: 'm' };
      expect(await engine.markStart(lease, 0)).toBe(1);
      const seen = await engine.consume(lease, async (tx) => {
        const out = await tx.seen([{ source: 'test/mig2', id: 'old-1' }, { source: 'test/mig2', id: 'new-1' }]);
        await tx.commit({ position: 0, handled: [{ source: 'test/mig2', id: 'new-1' }] });
        return out;
      });
      expect([...seen]).toEqual(['test/mig2\u0000old-1']);
    } finally {
      await engine.close();
    }
  });

  it('migrates a schema at migration 1 when the engine opens with migrate: auto', async () => {
    const schema = await atMigration1();
    const engine = postgresEngine({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      await engine.open({ partitions: 4 });
      expect(await engine.markStart({ group: 'g', partition: 1, member: 'm' }, 3)).toBe(1);
    } finally {
      await engine.close();
    }
  });
});
