import { expect, it } from 'vitest';
import { createFactline } from '../../src/index.js';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import { eventually, memoryLogger } from '../../src/testing/helpers.js';
import { describePg, freshSchema, PG_URL } from '../postgres/pg-test.js';
import { OrderPlaced } from './otel-fixture.js';
import { serveHealth, tcpProxy } from './health-fixture.js';

describePg('health on PostgreSQL', () => {
  it('is ready while the server answers, and unready once connections to it are refused', async () => {
    const schema = freshSchema('health');
    const url = new URL(PG_URL);
    const proxy = await tcpProxy(url.hostname, Number(url.port || 5432));
    url.port = String(proxy.port);
    const app = createFactline({ engine: postgresEngine({ connectionString: url.toString(), schema }), source: 'test/shop', partitions: 2, logger: memoryLogger() });
    app.consumer('billing', { leaseTtlMs: 2000 }).on(OrderPlaced, () => undefined);
    await app.start();
    const http = await serveHealth(app);
    try {
      await app.publish(OrderPlaced, { orderId: 'o-1' });
      const ok = await eventually('ready', async () => {
        const h = await app.health();
        return h.ready ? h : undefined;
      });
      expect(ok.groups[0]).toMatchObject({ group: 'billing', leasesHeld: true, loopAlive: true });
      expect((await http.get('/health/ready')).status).toBe(200);

      await proxy.cut();
      const down = await app.health({ timeoutMs: 3000 });
      expect(down).toMatchObject({ ready: false, store: { ok: false } });
      expect(down.store.error).toMatch(/ECONNREFUSED|connect|terminated|Connection/i);
      expect((await http.get('/health/ready')).status).toBe(503);
    } finally {
      await http.close();
      await app.stop().catch(() => undefined);
    }
  }, 60_000);
});
