import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineContract } from '../../src/testing/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';
import type { EffectRow } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'factline-contract-'));
let n = 0;

engineContract<SqliteDb>({
  name: 'sqlite',
  async freshStore() {
    const file = join(dir, `store-${++n}.db`);
    return () => sqliteEngine({ file });
  },
  async createTable(db, table) {
    db.prepare(`create table if not exists ${table} (rid integer primary key autoincrement, id text not null, key text not null, n integer not null)`).run();
  },
  async insert(db, table, row) {
    db.prepare(`insert into ${table} (id, key, n) values (?, ?, ?)`).run(row.id, row.key, row.n);
  },
  async list(db, table) {
    return db.prepare(`select id, key, n from ${table} order by rid`).all() as EffectRow[];
  },
});
