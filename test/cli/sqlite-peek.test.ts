import { existsSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PeekError, peekTable } from '../../src/cli/sqlite-peek.js';
import { freshFile } from './log-fixture.js';

/** A closed database made by SQLite itself, and what SQLite reads from its table `t`. */
function made(pragmas: string[], setup: (db: Database.Database) => void, rowsSql: string): { file: string; expected: unknown[][] } {
  const file = freshFile('peek');
  const db = new Database(file);
  for (const p of pragmas) db.pragma(p);
  setup(db);
  const expected = (db.prepare(rowsSql).raw(true).all() as unknown[][]);
  db.close();
  return { file, expected };
}

const long = (i: number, n: number) => `${i}:`.padEnd(n, String.fromCharCode(97 + (i % 26)));

describe('sqlite-peek reads tables of a closed SQLite file without SQLite', () => {
  it.each([
    ['4096-byte pages, UTF-8', ['page_size = 4096']],
    ['512-byte pages (deep trees, overflow everywhere)', ['page_size = 512']],
    ['65536-byte pages, WAL mode', ['page_size = 65536', 'journal_mode = WAL']],
    ['UTF-16le text', ['encoding = "UTF-16le"']],
    ['UTF-16be text', ['encoding = "UTF-16be"']],
  ])('returns the rows SQLite returns: %s', (_name, pragmas) => {
    const { file, expected } = made(pragmas, (db) => {
      // Many tables with long definitions: interior pages and overflow in the schema table.
      for (let i = 0; i < 150; i++) db.exec(`create table other_${i} (a text, b text, ${long(i, 300).replace(/[^a-z]/g, 'x')} integer)`);
      db.exec('create table t (key text primary key, value text not null) without rowid');
      const put = db.prepare('insert into t values (?, ?)');
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) put.run(`key-${String(i).padStart(5, '0')}`, i % 100 === 0 ? long(i, 5000) : `v${i} ✓`);
      })();
    }, 'select key, value from t order by key');
    expect(existsSync(`${file}-wal`)).toBe(false);
    const before = statSync(file).mtimeMs;
    const { tables, rows } = peekTable(file, 't');
    expect(tables).toContain('t');
    expect(tables).toHaveLength(151);
    expect(rows).toEqual(expected);
    expect(peekTable(file, 'missing').rows).toBeUndefined();
    expect(statSync(file).mtimeMs).toBe(before);
    expect(existsSync(`${file}-wal`) || existsSync(`${file}-shm`)).toBe(false);
  });

  it('reads a rowid table with numbers, nulls and blobs', () => {
    const { file, expected } = made([], (db) => {
      db.exec('create table t (a, b, c)');
      const put = db.prepare('insert into t values (?, ?, ?)');
      for (let i = 0; i < 500; i++) put.run(i * 1_000_003 - 7, i % 3 === 0 ? null : i / 7, Buffer.from([i % 256, 1, 2]));
      put.run(2 ** 40, 0, 1);
    }, 'select a, b, c from t order by rowid');
    const rows = peekTable(file, 't').rows!.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    expect(rows).toEqual(expected);
  });

  it('refuses what is not a SQLite file with PeekError', () => {
    const file = freshFile('text');
    writeFileSync(file, 'not a database at all, but longer than a header would be. '.repeat(4));
    expect(() => peekTable(file, 't')).toThrow(PeekError);
  });
});
