import { engineContract, type EffectRow } from '../../src/testing/index.js';
import { postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import { describePg, freshSchema, urlWithSearchPath } from './pg-test.js';

describePg('PostgreSQL', () => {
  engineContract<PgTx>({
    name: 'postgres',
    async freshStore() {
      const schema = freshSchema('contract');
      // The suite's own tables (unqualified names) land in the store's schema, not in a shared one.
      return () => postgresEngine({ connectionString: urlWithSearchPath(schema), schema, poolSize: 8 });
    },
    async createTable(db, table) {
      await db.query(`create table if not exists ${table} (rid bigserial primary key, id text not null, key text not null, n int not null)`);
    },
    async insert(db, table, row) {
      await db.query(`insert into ${table} (id, key, n) values ($1, $2, $3)`, [row.id, row.key, row.n]);
    },
    async list(db, table) {
      return (await db.query<EffectRow>(`select id, key, n from ${table} order by rid`)).rows;
    },
  });
});
