// The README's "What you write", as a program that runs: the code between the `#region readme`
// and `#endregion` lines is the README's block, character for character (a test checks it, and
// the test suite typechecks and runs this file). An order and its event commit in one
// transaction; billing handles the event once, in the same transaction as its invoice, and
// publishes a follow-up event; an effect handler e-mails the buyer through a fake mailer.
//
//   npx tsx --conditions=factline-source examples/quickstart/main.ts     (in a clone of the repository)
//   npx tsx node_modules/factline/examples/quickstart/main.ts            (in a project that installed factline)
//
// It keeps its log and tables in shop.db in the current directory, and stops by itself once the
// order is invoiced and e-mailed (a service would run until SIGTERM or SIGINT).
import { eventually } from 'factline/testing/helpers';   // for the end of the file, which the README leaves out

// #region readme
import { z } from 'zod';
import { createFactline, defineEvent } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

const OrderPlaced = defineEvent({
  type: 'shop.order.placed', version: 1,
  schema: z.object({ orderId: z.string(), email: z.string(), total: z.number().positive() }),   // any Standard Schema library
  subject: (d) => d.orderId,                                                                     // the entity; the partition key by default
});
const InvoiceIssued = defineEvent({
  type: 'shop.invoice.issued', version: 1,
  schema: z.object({ orderId: z.string() }),
  subject: (d) => d.orderId,
});

// A stand-in for your e-mail provider's client.
const mailer = {
  async send(mail: { to: string; idempotencyKey: string }, options: { signal: AbortSignal }): Promise<string> {
    options.signal.throwIfAborted();
    return `msg-${mail.idempotencyKey.slice(-12)}`;
  },
};

// stopOnSignals: the first SIGTERM or SIGINT stops the app gracefully (in-flight work commits, leases are released).
const app = createFactline({ engine: sqliteEngine({ file: 'shop.db' }), source: 'shop/orders', stopOnSignals: true });

// The app's own tables live in the same file as the log.
await app.transaction(async (tx) => {
  tx.db.exec(`create table if not exists orders (id text primary key, email text not null, total real not null);
              create table if not exists invoices (order_id text primary key);
              create table if not exists emails (event_id text primary key, message_id text not null)`);
});

// A consumer group; the handler's writes commit in the same transaction as its inbox row,
// so a redelivered or re-published event never applies twice.
app.consumer('billing').on(OrderPlaced, async (event, ctx) => {
  ctx.db.prepare('insert into invoices (order_id) values (?)').run(event.data.orderId);
  await ctx.publish(InvoiceIssued, { orderId: event.data.orderId });   // correlation + causation set for you
});

// A handler that calls the outside world runs with no transaction open; what it returns commits
// afterwards with its inbox row. Only a failed event's call repeats.
app.consumer('email').effect(OrderPlaced, async (event, ctx) => {
  const messageId = await mailer.send({ to: event.data.email, idempotencyKey: event.id }, { signal: ctx.signal });
  return (tx) => { tx.db.prepare('insert into emails (event_id, message_id) values (?, ?)').run(event.id, messageId); };
});

await app.start();

// The app's own writes and its events commit together, or not at all: the outbox, with no relay.
const id = `order-${Date.now()}`, email = 'ana@example.com', total = 42.5;
const placed = await app.transaction(async (tx) => {
  tx.db.prepare('insert into orders (id, email, total) values (?, ?, ?)').run(id, email, total);
  return tx.publish(OrderPlaced, { orderId: id, email, total });
});

// The app runs until SIGTERM or SIGINT, or until `await app.stop()`: in-flight work finishes, leases are released.
// #endregion

// Below, not in the README: a publish the schema refuses, then a wait until the order is
// invoiced and e-mailed, and a graceful stop.
console.log(`published ${placed.type} ${placed.id} (sequence ${Number(placed.sequence)} of its partition)`);
try {
  await app.publish(OrderPlaced, { orderId: 'order-x', email, total: -1 });
} catch (err) {
  console.log(`refused: ${(err as Error).message}`);
}
await eventually('the order to be invoiced and e-mailed', () =>
  app.transaction(async (tx) => {
    const invoiced = tx.db.prepare('select 1 from invoices where order_id = ?').get(id);
    const emailed = tx.db.prepare('select message_id from emails where event_id = ?').get(placed.id) as { message_id: string } | undefined;
    return invoiced && emailed ? emailed.message_id : undefined;
  }),
).then((messageId) => console.log(`invoiced ${id}; e-mailed ${email} (message ${messageId})`));
await app.stop();
