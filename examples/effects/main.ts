// An effect handler: the e-mail provider is called with no transaction open, and the row that
// records the e-mail commits afterwards with the event's inbox row. The provider fails the first
// call for one order: only that order's e-mail is sent again; every other order's, once.
//
//   npx tsx --conditions=factline-source examples/effects/main.ts [file.db]   (in a clone of the repository)
//   npx tsx node_modules/factline/examples/effects/main.ts [file.db]          (in a project that installed factline)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createFactline, defineEvent } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

const OrderPlaced = defineEvent({
  type: 'shop.order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), email: z.string() }),
  subject: (d) => d.orderId,
});

const EmailSent = defineEvent({
  type: 'shop.email.sent',
  version: 1,
  schema: z.object({ orderId: z.string(), messageId: z.string() }),
  subject: (d) => d.orderId,
});

/** A fake provider: counts calls per idempotency key and fails the first call for order-3. */
const calls = new Map<string, number>();
const mailer = {
  async send(message: { to: string; idempotencyKey: string; orderId: string }, options: { signal: AbortSignal }): Promise<string> {
    options.signal.throwIfAborted();
    const n = (calls.get(message.idempotencyKey) ?? 0) + 1;
    calls.set(message.idempotencyKey, n);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (message.orderId === 'order-3' && n === 1) throw new Error('provider answered 503');
    return `msg-${message.idempotencyKey.slice(-6)}`;
  },
};

const file = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'factline-effects-')), 'shop.db');
const app = createFactline({ engine: sqliteEngine({ file }), source: 'shop/orders', stopOnSignals: true });

app.consumer('email', { retry: { initialDelayMs: 50 } }).effect(OrderPlaced, async (event, ctx) => {
  const messageId = await mailer.send({ to: event.data.email, idempotencyKey: event.id, orderId: event.data.orderId }, { signal: ctx.signal });
  // The commit step: store work only, in a short transaction with the inbox row.
  return async (tx) => {
    tx.db.prepare('insert into emails (event_id, order_id, message_id) values (?, ?, ?)').run(event.id, event.data.orderId, messageId);
    await tx.publish(EmailSent, { orderId: event.data.orderId, messageId });
  };
});

let sent = 0;
app.consumer('audit').on(EmailSent, () => void sent++);

await app.transaction(async (tx) => {
  tx.db.exec('create table if not exists emails (event_id text primary key, order_id text not null, message_id text not null)');
});
for (let i = 1; i <= 5; i++) await app.publish(OrderPlaced, { orderId: `order-${i}`, email: `buyer${i}@example.com` });
await app.start();
while (sent < 5) await new Promise((resolve) => setTimeout(resolve, 20));
await app.stop();

for (const [key, n] of calls) console.log(`provider calls for event ${key}: ${n}`);
console.log(`emails recorded: ${sent}`);
