import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FactlineError, StoreMismatchError } from '../../src/index.js';
import { LATEST_MIGRATION, migrate, postgresEngine, storedPartitions } from '../../src/engines/postgres/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

describePg('schema migrations and store checks', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('migrates a new schema once even when several processes migrate at the same time', async () => {
    const schema = freshSchema('mig');
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate({ connectionString: PG_URL, schema })));
    expect(results.filter((r) => r.from === 0)).toHaveLength(1);
    expect(results.every((r) => r.to === LATEST_MIGRATION)).toBe(true);
    const versions = (await pool.query(`select version from "${schema}".migrations order by version`)).rows.map((r: { version: number }) => r.version);
    expect(versions).toEqual(Array.from({ length: LATEST_MIGRATION }, (_, i) => i + 1));
    expect(await storedPartitions({ connectionString: PG_URL, schema })).toBeUndefined();
  });

  it('opens engines of several processes on a new schema at the same time', async () => {
    const schema = freshSchema('mig');
    const engines = Array.from({ length: 4 }, () => postgresEngine({ connectionString: PG_URL, schema, poolSize: 2 }));
    try {
      const opened = await Promise.all(engines.map((e) => e.open({ partitions: 8 })));
      expect(opened.map((o) => o.partitions)).toEqual([8, 8, 8, 8]);
      expect(await engines[0]!.admin.heads()).toEqual(new Array(8).fill(0));
      expect(await storedPartitions({ connectionString: PG_URL, schema })).toBe(8);
    } finally {
      await Promise.all(engines.map((e) => e.close()));
    }
  });

  it('refuses a schema migrated by a newer Factline and says to upgrade', async () => {
    const schema = freshSchema('mig');
    await migrate({ connectionString: PG_URL, schema });
    await pool.query(`insert into "${schema}".migrations (version) values ($1)`, [LATEST_MIGRATION + 1]);
    const engine = postgresEngine({ connectionString: PG_URL, schema, poolSize: 2 });
    const err = await engine.open({ partitions: 4 }).catch((e: unknown) => e);
    await engine.close();
    expect(err).toBeInstanceOf(StoreMismatchError);
    expect((err as Error).message).toMatch(/newer Factline.*upgrade factline/);
    await expect(migrate({ connectionString: PG_URL, schema })).rejects.toBeInstanceOf(StoreMismatchError);
  });

  it('refuses a log created with another partition count', async () => {
    const schema = freshSchema('mig');
    const first = postgresEngine({ connectionString: PG_URL, schema, poolSize: 2 });
    await first.open({ partitions: 4 });
    await first.close();
    const second = postgresEngine({ connectionString: PG_URL, schema, poolSize: 2 });
    const err = await second.open({ partitions: 16 }).catch((e: unknown) => e);
    await second.close();
    expect(err).toBeInstanceOf(StoreMismatchError);
    expect((err as Error).message).toMatch(/created with 4 partitions, not 16/);
  });

  it('only checks the schema with migrate: manual, and says to run factline migrate', async () => {
    const schema = freshSchema('mig');
    const engine = postgresEngine({ connectionString: PG_URL, schema, migrate: 'manual', poolSize: 2 });
    const err = await engine.open({ partitions: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreMismatchError);
    expect((err as Error).message).toMatch(/factline migrate/);
    expect((await pool.query('select count(*)::int as n from information_schema.schemata where schema_name = $1', [schema])).rows[0]).toEqual({ n: 0 });
    await migrate({ connectionString: PG_URL, schema });
    await expect(engine.open({ partitions: 4 })).resolves.toEqual({ partitions: 4 });
    await engine.close();
  });

  it('refuses a schema that holds tables of something else', async () => {
    const schema = freshSchema('mig');
    await pool.query(`create schema "${schema}"; create table "${schema}".events (id int)`);
    const engine = postgresEngine({ connectionString: PG_URL, schema, poolSize: 2 });
    await expect(engine.open({ partitions: 4 })).rejects.toThrow(/not a Factline log/);
    await engine.close();
  });

  it('says what to check when the server cannot be reached', async () => {
    const engine = postgresEngine({ connectionString: 'postgres://root@127.0.0.1:1/test', schema: 'unreachable' });
    const err = await engine.open({ partitions: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FactlineError);
    expect((err as FactlineError).code).toBe('CONNECTION_FAILED');
    expect((err as Error).message).toMatch(/127\.0\.0\.1:1.*check that the server is running/);
    await engine.close();
    await expect(migrate({ connectionString: 'postgres://root@127.0.0.1:1/test' })).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => postgresEngine({ connectionString: PG_URL, schema: 'x"; drop table y; --' })).toThrow(/lower-case identifier/);
  });
});
