// The smallest complete Factline program: an order is saved and its event published in one
// transaction; billing handles it exactly once, in the same transaction as its own write, and
// publishes a follow-up event that carries the correlation and causation ids.
//
//   npx tsx examples/quickstart/main.ts [file.db]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createFactline, defineEvent } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

const OrderPlaced = defineEvent({
  type: 'shop.order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), total: z.number().positive() }),
  subject: (d) => d.orderId,
});

const InvoiceIssued = defineEvent({
  type: 'billing.invoice.issued',
  version: 1,
  schema: z.object({ orderId: z.string(), amount: z.number() }),
  subject: (d) => d.orderId,
});

const file = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'factline-quickstart-')), 'shop.db');
const app = createFactline({ engine: sqliteEngine({ file }), source: 'shop/orders' });

app.consumer('billing').on(OrderPlaced, async (event, ctx) => {
  ctx.db.prepare('insert into invoices (order_id, amount) values (?, ?)').run(event.data.orderId, event.data.total);
  await ctx.publish(InvoiceIssued, { orderId: event.data.orderId, amount: event.data.total });
});

const done = new Promise<void>((resolve) => {
  app.consumer('audit').on(InvoiceIssued, (event) => {
    console.log(`invoice for ${event.subject}: correlation ${event.correlationid}, caused by ${event.causationid}`);
    resolve();
  });
});

await app.transaction(async (tx) => {
  tx.db.exec('create table if not exists orders (id text primary key, total real)');
  tx.db.exec('create table if not exists invoices (order_id text primary key, amount real)');
});
await app.start();

const placed = await app.transaction(async (tx) => {
  tx.db.prepare('insert into orders (id, total) values (?, ?)').run('order-1', 42.5);
  return tx.publish(OrderPlaced, { orderId: 'order-1', total: 42.5 });
});
console.log(`published ${placed.type} ${placed.id} at sequence ${placed.sequence} (log: ${file})`);

try {
  await app.publish(OrderPlaced, { orderId: 'order-2', total: -1 });
} catch (err) {
  console.log(`refused: ${(err as Error).message}`);
}

await done;
await app.stop();
