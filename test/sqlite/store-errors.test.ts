import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent, FactlineError, StoreMismatchError } from '../../src/index.js';
import { StoreError } from '../../src/core/errors.js';
import { buildEnvelope } from '../../src/publish/build-envelope.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { memoryLogger, testApp, TestPlaced } from '../../src/testing/index.js';
import { placed, tempFile } from './engine-fixture.js';
import { readOnlyView, smallDisk, unmount } from './mounts.js';

const Blob = defineEvent({ type: 'test.blob', version: 1, schema: z.object({ key: z.string(), text: z.string() }), subject: (d) => d.key });
const blob = (i: number) => buildEnvelope(Blob, { key: `b${i}`, text: 'x'.repeat(32_000) }, 'test/engine', 1, Date.now());

const disk = smallDisk('1m');
const ro = readOnlyView();
afterAll(() => {
  unmount(disk);
  unmount(ro?.view);
});

describe('driver errors of the SQLite engine', () => {
  it.skipIf(!disk)('reports a full disk as STORE_FULL naming the file, with the driver error as cause (raw driver errors escape otherwise)', async () => {
    const file = join(disk!, 'full.db');
    const engine = sqliteEngine({ file });
    await engine.open({ partitions: 1 });
    let stored = 0;
    let err: unknown;
    try {
      for (let i = 0; i < 200 && !err; i++) {
        await engine.append([blob(i)]).then(() => stored++, (e: unknown) => (err = e));
      }
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'STORE_FULL' });
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(/full; free space/);
      expect((err as Error).cause).toMatchObject({ code: 'SQLITE_FULL' });
      expect((await engine.read(0, 0, 1000)).length).toBe(stored); // nothing of the failed call
    } finally {
      await engine.close();
    }
  });

  it.skipIf(!ro)('refuses a read-only Factline file as STORE_READ_ONLY, not as "not a SQLite database"', async () => {
    const first = sqliteEngine({ file: join(ro!.source, 'log.db') });
    await first.open({ partitions: 4 });
    await first.append([placed(1)].map((e) => ({ ...e, partition: 0 })));
    await first.close();
    ro!.makeReadOnly();
    const app = testApp(sqliteEngine({ file: join(ro!.view, 'log.db') }), { logger: memoryLogger() });
    const err = await app.start().then(() => undefined, (e: unknown) => e);
    await app.stop();
    expect(err).not.toBeInstanceOf(StoreMismatchError);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'STORE_READ_ONLY' });
    expect((err as Error).message).toContain(join(ro!.view, 'log.db'));

    const fresh = testApp(sqliteEngine({ file: join(ro!.view, 'new.db') }), { logger: memoryLogger() });
    const err2 = await fresh.publish(TestPlaced, { key: 'k', n: 1 }).then(() => undefined, (e: unknown) => e);
    await fresh.stop();
    expect(err2).toMatchObject({ code: 'STORE_READ_ONLY' });
  });

  it('wraps an error of its own statements as STORE_ERROR with the cause, and lets errors of user SQL in transaction() through as they are', async () => {
    const file = tempFile('errors.db');
    const engine = sqliteEngine({ file });
    await engine.open({ partitions: 1 });
    try {
      const userErr = await engine.transaction(async (tx) => tx.db.prepare('insert into no_such_table values (1)').run()).catch((e: unknown) => e);
      expect(userErr).not.toBeInstanceOf(FactlineError);
      expect(userErr).toBeInstanceOf(Database.SqliteError);
      const thrown = new Error('mine');
      await expect(engine.transaction(async () => { throw thrown; })).rejects.toBe(thrown);

      // The app's own trigger makes Factline's insert fail: an engine statement, so it is wrapped.
      await engine.transaction(async (tx) => {
        tx.db.exec("create trigger no_events before insert on factline_events begin select raise(abort, 'events are frozen'); end");
      });
      const appendErr = await engine.append([placed(1)]).catch((e: unknown) => e);
      expect(appendErr).toBeInstanceOf(StoreError);
      expect(appendErr).toMatchObject({ code: 'STORE_ERROR' });
      expect((appendErr as Error).message).toContain('events are frozen');
      expect((appendErr as Error).cause).toBeInstanceOf(Database.SqliteError);
      const inTx = await engine.transaction(async (tx) => tx.append([placed(2)])).catch((e: unknown) => e);
      expect(inTx).toMatchObject({ code: 'STORE_ERROR' });
    } finally {
      await engine.close();
    }
  });

  it('reports a file whose write lock another process holds as busy (STORE_ERROR), never as StoreMismatchError', async () => {
    const file = tempFile('busy.db');
    const setup = sqliteEngine({ file });
    await setup.open({ partitions: 1 });
    await setup.close();
    const holder = spawn(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(file)});
      db.exec('begin exclusive');
      process.stdout.write('locked\\n');
      process.stdin.on('end', () => process.exit(0));
      process.stdin.resume();
    `], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      const engine = sqliteEngine({ file, busyTimeoutMs: 50 });
      const err = await engine.open({ partitions: 1 }).then(() => undefined, (e: unknown) => e);
      await engine.close();
      expect(err).not.toBeInstanceOf(StoreMismatchError);
      expect(err).toMatchObject({ code: 'STORE_ERROR' });
      expect((err as Error).message).toMatch(/busy/);
      expect((err as Error).message).toContain(file);
    } finally {
      holder.stdin.end();
    }
  });
});
