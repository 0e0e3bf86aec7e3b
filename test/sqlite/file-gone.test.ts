import { existsSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { memoryLogger, testApp, TestPlaced } from '../../src/testing/index.js';
import { leasedEngine, placed, tempFile } from './engine-fixture.js';

const removeLog = (file: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
};

describe('the SQLite log file deleted or replaced while the app runs', () => {
  it('rejects publishes with STORE_GONE when the SQLite log file deleted while the app runs (no publish resolves into a deleted file)', async () => {
    const file = tempFile('gone.db');
    const app = testApp(sqliteEngine({ file }), { logger: memoryLogger() });
    await app.publish(TestPlaced, { key: 'k', n: 1 });
    removeLog(file);
    const err = await app.publish(TestPlaced, { key: 'k', n: 2 }).catch((e: unknown) => e);
    await app.stop();
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'STORE_GONE' });
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/restart the app|restore the file/);
    expect(existsSync(file)).toBe(false);
  });

  it('fails every kind of write transaction with STORE_GONE, rolled back, once the file was replaced', async () => {
    const { engine, lease, file } = await leasedEngine();
    await engine.append([placed(1)]);
    // Someone restores an older copy over the log: same path, another file.
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    const attempts: [string, () => Promise<unknown>][] = [
      ['append', () => engine.append([placed(2)])],
      ['transaction', () => engine.transaction(async (tx) => tx.append([placed(3)]))],
      ['heartbeat', () => engine.heartbeat('g', 'm', 60_000)],
      ['consume', () => engine.consume(lease, (tx) => tx.commit({ position: 1 }))],
      ['markStart', () => engine.markStart(lease, 1)],
      ['position', () => engine.position('new-group', 0, 'now')],
      ['pruneInbox', () => engine.pruneInbox(Date.now())],
      ['release', () => engine.release('g', 'm', [0])],
    ];
    try {
      for (const [what, run] of attempts) {
        const err = await run().then(() => undefined, (e: unknown) => e);
        expect(err, what).toBeInstanceOf(StoreError);
        expect((err as StoreError).code, what).toBe('STORE_GONE');
      }
      // Rolled back: the connection is usable for reads and nothing of the failed calls was stored.
      expect((await engine.read(0, 0, 10)).map((r) => r.sequence)).toEqual([1]);
    } finally {
      await engine.close();
    }
  });
});
