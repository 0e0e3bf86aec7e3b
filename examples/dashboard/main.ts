/**
 * The dashboard inside your own Node server, beside the app's API, under /factline.
 *
 *   npx tsx --conditions=factline-source examples/dashboard/main.ts            serves until Ctrl-C (in a clone)
 *   npx tsx --conditions=factline-source examples/dashboard/main.ts --once     checks itself and exits
 *   npx tsx node_modules/factline/examples/dashboard/main.ts                  where factline is installed
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createFactline, defineEvent } from 'factline';
import { createDashboard } from 'factline/dashboard';
import { sqliteEngine } from 'factline/sqlite';

const OrderPlaced = defineEvent({
  type: 'shop.order.placed', version: 1,
  schema: z.object({ orderId: z.string(), total: z.number() }),
  subject: (d) => d.orderId,
});

const file = join(mkdtempSync(join(tmpdir(), 'factline-dashboard-example-')), 'app.db');
const app = createFactline({ engine: sqliteEngine({ file }), source: 'shop/orders' });
app.consumer('billing').on(OrderPlaced, async () => undefined);
await app.start();
await app.publish(OrderPlaced, { orderId: 'order-1', total: 42 });

// Read-only unless a token is set; replay and discard then need `Authorization: Bearer <token>`.
const dashboard = createDashboard({ engine: app.engine, basePath: '/factline', token: process.env.FACTLINE_DASHBOARD_TOKEN, target: 'app.db' });

const server = createServer((req, res) => {
  if (req.url === '/factline' || req.url?.startsWith('/factline/')) return void dashboard.handle(req, res);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));   // the app's own API
});
await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.log(`app on ${base}/, dashboard on ${base}/factline/`);

if (process.argv.includes('--once')) {
  const info = await (await fetch(`${base}/factline/api/info`)).json();
  const events = (await (await fetch(`${base}/factline/api/events?limit=10`)).json()) as { events: { type: string }[] };
  const own = await (await fetch(`${base}/`)).json();
  console.log(JSON.stringify({ info, events: events.events.map((e) => e.type), own }));
  server.close();
  await app.stop();
} else {
  process.once('SIGINT', () => {
    server.close();
    void app.stop();
  });
}
