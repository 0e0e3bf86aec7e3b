import pg from 'pg';
import { expect, it } from 'vitest';
import { PG_URL, describePg, dropSchemas, freshSchema } from './pg-test.js';

describePg('test schemas', () => {
  it('are dropped with the schemas named after them, and no other', async () => {
    const schema = freshSchema('cleanup');
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const names = [schema, `${schema}_shop`, `${schema}x`, `${schema.replace(/_/g, 'x')}_shop`];
      for (const name of names) await client.query(`create schema "${name}"; create table "${name}".t (x int)`);
      expect(await dropSchemas([schema])).toBe(2);
      const { rows } = await client.query<{ nspname: string }>('select nspname from pg_namespace where nspname = any($1) order by nspname', [names]);
      expect(rows.map((r) => r.nspname)).toEqual([names[2], names[3]].sort());
      await dropSchemas([names[2]!, names[3]!]);
    } finally {
      await client.end();
    }
  });
});
