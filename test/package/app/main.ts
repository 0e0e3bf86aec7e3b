/**
 * A small orders service as a new user writes it from the README, run by the packaging test in a
 * project that installed the packed tarball (and in this repository's typecheck). On either engine:
 * the order row and its event commit together, billing writes an invoice through ctx.db and
 * publishes a follow-up, an effect handler records a receipt through its commit step, and fraud
 * dead-letters the order shipping to NO. Prints one JSON line with what it found.
 *
 *   node out/main.js sqlite <file>
 *   node out/main.js postgres <url> <schema>
 */
import { z } from 'zod';
import { createFactline, defineEvent, NonRetryableError, type Factline } from 'factline';
import { sqliteEngine, type SqliteDb } from 'factline/sqlite';
import { postgresEngine, type PgTx } from 'factline/postgres';
import { eventually } from 'factline/testing/helpers';

const OrderPlaced = defineEvent({
  type: 'orders.order.placed', version: 1,
  schema: z.object({ orderId: z.string(), total: z.number().positive(), country: z.string().length(2) }),
  subject: (d) => d.orderId,
});
const InvoiceIssued = defineEvent({
  type: 'orders.invoice.issued', version: 1,
  schema: z.object({ orderId: z.string(), total: z.number() }),
  subject: (d) => d.orderId,
});

const ORDERS = [{ orderId: 'o-1', total: 10, country: 'FR' }, { orderId: 'o-2', total: 20, country: 'NO' }, { orderId: 'o-3', total: 30, country: 'DE' }];

/** True only when T is `any`: the handles below must be typed. */
type IsAny<T> = 0 extends 1 & T ? true : false;
const sqliteDbIsTyped: IsAny<SqliteDb> = false;
const pgTxIsTyped: IsAny<PgTx> = false;

/** The groups every run registers; fraud refuses orders it cannot score. */
function fraud<Db>(app: Factline<Db>) {
  app.consumer('fraud', { retry: { attempts: 1 } }).on(OrderPlaced, (event) => {
    if (event.data.country === 'NO') throw new NonRetryableError(`no risk profile for ${event.data.country}; order ${event.data.orderId} cannot be scored`);
  });
}

async function onSqlite(file: string) {
  const app = createFactline({ engine: sqliteEngine({ file }), source: 'orders/service', partitions: 4, stopOnSignals: true });
  await app.transaction(async (tx) => {
    tx.db.exec('create table if not exists orders (id text primary key, total real not null); create table if not exists invoices (order_id text primary key, total real not null); create table if not exists receipts (event_id text primary key)');
  });
  app.consumer('billing').on(OrderPlaced, async (event, ctx) => {
    const result = ctx.db.prepare('insert into invoices (order_id, total) values (?, ?)').run(event.data.orderId, event.data.total);
    if (result.changes !== 1) throw new Error('no invoice written');
    await ctx.publish(InvoiceIssued, { orderId: event.data.orderId, total: event.data.total });
  });
  app.consumer('receipts').effect(InvoiceIssued, async (event) => (tx) => {
    tx.db.prepare('insert into receipts (event_id) values (?)').run(event.id);
  });
  fraud(app);
  await app.start();
  for (const order of ORDERS) {
    await app.transaction(async (tx) => {
      tx.db.prepare('insert into orders (id, total) values (?, ?)').run(order.orderId, order.total);
      await tx.publish(OrderPlaced, order);
    });
  }
  const count = (table: string) => app.transaction(async (tx) => (tx.db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n);
  await eventually('three receipts', async () => (await count('receipts')) === 3);
  const [deadLetter] = await eventually('the dead letter', () => app.engine.admin.listDeadLetters({ group: 'fraud' }).then((l) => (l.length ? l : undefined)));
  const summary = { engine: 'sqlite', invoices: await count('invoices'), receipts: await count('receipts'), deadLetter: deadLetter!.id };
  await app.stop();
  return summary;
}

async function onPostgres(url: string, schema: string) {
  const app = createFactline({ engine: postgresEngine({ connectionString: url, schema }), source: 'orders/service', partitions: 4, stopOnSignals: true });
  await app.transaction(async (tx) => {
    await tx.db.query(`create table if not exists ${schema}.orders (id text primary key, total real not null)`);
    await tx.db.query(`create table if not exists ${schema}.invoices (order_id text primary key, total real not null)`);
  });
  app.consumer('billing').on(OrderPlaced, async (event, ctx) => {
    const result = await ctx.db.query(`insert into ${schema}.invoices (order_id, total) values ($1, $2)`, [event.data.orderId, event.data.total]);
    if (result.rowCount !== 1) throw new Error('no invoice written');
    await ctx.publish(InvoiceIssued, { orderId: event.data.orderId, total: event.data.total });
  });
  fraud(app);
  await app.start();
  for (const order of ORDERS) {
    await app.transaction(async (tx) => {
      await tx.db.query(`insert into ${schema}.orders (id, total) values ($1, $2)`, [order.orderId, order.total]);
      await tx.publish(OrderPlaced, order);
    });
  }
  const invoices = () => app.transaction(async (tx) => Number((await tx.db.query<{ n: string }>(`select count(*) as n from ${schema}.invoices`)).rows[0]!.n));
  await eventually('three invoices', async () => (await invoices()) === 3);
  const [deadLetter] = await eventually('the dead letter', () => app.engine.admin.listDeadLetters({ group: 'fraud' }).then((l) => (l.length ? l : undefined)));
  const summary = { engine: 'postgres', invoices: await invoices(), deadLetter: deadLetter!.id };
  await app.stop();
  return summary;
}

const [engine, a, b] = process.argv.slice(2);
const summary = engine === 'postgres' ? await onPostgres(a!, b!) : await onSqlite(a!);
console.log(JSON.stringify({ ...summary, typed: !sqliteDbIsTyped && !pgTxIsTyped }));
