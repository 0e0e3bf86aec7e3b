import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreMismatchError } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { testApp, TestPlaced } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'factline-store-'));

describe('opening a SQLite file', () => {
  it('refuses a log created with another partition count, naming both', async () => {
    const file = join(dir, 'counts.db');
    const first = testApp(sqliteEngine({ file }), { partitions: 8 });
    await first.publish(TestPlaced, { key: 'k', n: 1 });
    await first.stop();
    const second = testApp(sqliteEngine({ file }), { partitions: 4 });
    const err = await second.publish(TestPlaced, { key: 'k', n: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreMismatchError);
    expect((err as Error).message).toMatch(/created with 8 partitions, not 4/);
  });

  it('refuses a file that is not a SQLite database, and leaves it as it was', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'shopping list: milk, eggs, a message broker\n'.repeat(200));
    const app = testApp(sqliteEngine({ file }));
    await expect(app.start()).rejects.toBeInstanceOf(StoreMismatchError);
    expect(readFileSync(file, 'utf8')).toBe('shopping list: milk, eggs, a message broker\n'.repeat(200));
  });

  it('refuses factline tables without their metadata', async () => {
    const file = join(dir, 'half.db');
    const db = new Database(file);
    db.exec('create table factline_events (x integer)');
    db.close();
    await expect(testApp(sqliteEngine({ file })).start()).rejects.toThrow(/not a Factline log/);
  });

  it('refuses a log written by a newer Factline', async () => {
    const file = join(dir, 'newer.db');
    const app = testApp(sqliteEngine({ file }));
    await app.start();
    await app.stop();
    const db = new Database(file);
    db.prepare("update factline_meta set value = '99' where key = 'schema_version'").run();
    db.close();
    await expect(testApp(sqliteEngine({ file })).start()).rejects.toThrow(/newer Factline/);
  });

  it('shares a file with the app own tables', async () => {
    const file = join(dir, 'shared.db');
    const db = new Database(file);
    db.exec('create table orders (id text primary key)');
    db.close();
    const app = testApp(sqliteEngine({ file }));
    await app.transaction(async (tx) => {
      tx.db.prepare('insert into orders values (?)').run('o1');
      await tx.publish(TestPlaced, { key: 'o1', n: 1 });
    });
    const synchronous = await app.transaction(async (tx) => tx.db.pragma('synchronous', { simple: true }));
    expect(synchronous).toBe(2); // FULL: every commit is fsync'd before publish resolves
    await app.stop();
    const check = new Database(file);
    expect(check.prepare('select count(*) as n from orders').get()).toEqual({ n: 1 });
    check.close();
  });
});
