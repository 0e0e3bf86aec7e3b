import { openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger } from '../../src/testing/helpers.js';
import { OrderPlaced, freshFile } from './otel-fixture.js';
import { serveHealth } from './health-fixture.js';

function sqliteApp(file: string) {
  const app = createFactline({ engine: sqliteEngine({ file }), source: 'test/shop', partitions: 2, logger: memoryLogger() });
  app.consumer('billing', { leaseTtlMs: 1000 }).on(OrderPlaced, () => undefined);
  return app;
}

describe('health on SQLite', () => {
  it('is live and ready with the store, leases and lag; unready when the file is made unreadable', async () => {
    const file = freshFile('health');
    const app = sqliteApp(file);
    expect(await app.health()).toMatchObject({ live: true, ready: false, state: 'starting' });
    await app.start();
    const http = await serveHealth(app);
    try {
      await app.publish(OrderPlaced, { orderId: 'o-1' });
      const healthy = await eventually('ready', async () => {
        const h = await app.health();
        return h.ready ? h : undefined;
      });
      expect(healthy).toMatchObject({ live: true, ready: true, state: 'running', store: { ok: true } });
      expect(healthy.groups).toEqual([expect.objectContaining({ group: 'billing', loopAlive: true, leasesHeld: true, partitions: [0, 1] })]);
      expect(healthy.groups[0]!.lag).toBeGreaterThanOrEqual(0);
      expect((await http.get('/health/ready')).status).toBe(200);
      expect((await http.get('/health/live')).status).toBe(200);

      // Someone overwrites the file: it is no longer readable as a database.
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
      closeSync(fd);
      const sick = await app.health();
      expect(sick).toMatchObject({ ready: false, store: { ok: false, error: expect.stringMatching(/no longer a SQLite database/) } });
      const probe = await http.get('/health/ready');
      expect(probe.status).toBe(503);
      expect(probe.body.store.ok).toBe(false);
      expect((await http.get('/health')).status).toBe(503);
    } finally {
      await http.close();
      await app.stop().catch(() => undefined);
    }
    expect(await app.health()).toMatchObject({ live: false, ready: false, state: 'stopped' });
  });

  it('is unready once the file is deleted', async () => {
    const file = freshFile('health-gone');
    const app = sqliteApp(file);
    await app.start();
    try {
      await eventually('ready', async () => (await app.health()).ready);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      const h = await app.health();
      expect(h.ready).toBe(false);
      expect(h.store.error).toMatch(/deleted/);
    } finally {
      await app.stop().catch(() => undefined);
    }
  });
});
