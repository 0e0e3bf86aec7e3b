import { CommandRejection, type ConsumerOptions, type Factline } from 'factline';
import { AuthorizePayment, CapturePayment, InventoryReserved, PaymentAuthorized, PaymentCaptured, RefundPayment, ReleaseStock, ReserveStock } from './order-messages.js';
import { shopSql, type ShopSql } from './sql.js';

/** The payment and warehouse services' tables (their own, beside the shop's). */
export const ORDER_SERVICE_TABLES = [
  'create table if not exists payments (order_id text primary key, amount integer not null, status text not null)',
  'create table if not exists refunds (order_id text primary key, reason text not null)',
  'create table if not exists warehouse_stock (sku text primary key, available integer not null)',
  'create table if not exists warehouse_reservations (order_id text primary key, items text not null, status text not null)',
];

export async function createOrderServiceTables(sql: ShopSql, stock: Readonly<Record<string, number>>): Promise<void> {
  for (const ddl of ORDER_SERVICE_TABLES) await sql.run(ddl);
  for (const [sku, available] of Object.entries(stock)) {
    await sql.run('insert into warehouse_stock (sku, available) values (?, ?) on conflict (sku) do nothing', [sku, available]);
  }
}

/** A fake card processor: declines some orders, answers others too late for the workflow's timer. */
export interface PaymentProvider {
  authorize(orderId: string, amount: number, signal: AbortSignal): Promise<'approved' | 'declined'>;
}

/** The demo's provider: by order number, every 20th (from the 3rd) is declined and every 40th (from the 7th) is slow. */
export function demoPaymentProvider(slowMs: number): PaymentProvider {
  return {
    async authorize(orderId, _amount, signal) {
      const n = Number(orderId.slice(orderId.lastIndexOf('-') + 1));
      await new Promise<void>((resolve) => setTimeout(resolve, n % 40 === 7 ? slowMs : 1));
      signal.throwIfAborted();
      return n % 20 === 3 ? 'declined' : 'approved';
    },
  };
}

/**
 * The payments and warehouse services: the only handlers of their commands. Authorizing calls the
 * provider, so it is an effect handler; the rest is store work.
 */
export function registerOrderServices(app: Factline<unknown>, provider: PaymentProvider, options: ConsumerOptions): void {
  app.consumer('payments', options)
    .handleEffect(AuthorizePayment, async (cmd, ctx) => {
      const answer = await provider.authorize(cmd.data.orderId, cmd.data.amount, ctx.signal);
      if (answer === 'declined') throw new CommandRejection('card declined');
      return async (tx) => {
        await shopSql(() => tx.db).run('insert into payments (order_id, amount, status) values (?, ?, ?) on conflict (order_id) do nothing', [cmd.data.orderId, cmd.data.amount, 'authorized']);
        await tx.publish(PaymentAuthorized, { orderId: cmd.data.orderId, amount: cmd.data.amount });
      };
    })
    .handle(CapturePayment, async (cmd, ctx) => {
      const changed = await shopSql(() => ctx.db).run("update payments set status = 'captured' where order_id = ? and status = 'authorized'", [cmd.data.orderId]);
      if (changed === 0) throw new CommandRejection('no authorized payment to capture');
      await ctx.publish(PaymentCaptured, { orderId: cmd.data.orderId });
    })
    .handle(RefundPayment, async (cmd, ctx) => {
      const sql = shopSql(() => ctx.db);
      const changed = await sql.run("update payments set status = 'refunded' where order_id = ? and status in ('authorized', 'captured')", [cmd.data.orderId]);
      if (changed === 0) throw new CommandRejection('nothing to refund');
      await sql.run('insert into refunds (order_id, reason) values (?, ?)', [cmd.data.orderId, cmd.data.reason]);
    });

  app.consumer('warehouse', options)
    .handle(ReserveStock, async (cmd, ctx) => {
      const sql = shopSql(() => ctx.db);
      // Lock the hot stock rows in one order first, so that concurrent transactions queue (PostgreSQL).
      if (sql.kind === 'postgres') await sql.all('select sku from warehouse_stock order by sku for update');
      for (const item of cmd.data.items) {
        const [row] = await sql.all<{ available: number }>('select available from warehouse_stock where sku = ?', [item.sku]);
        if (Number(row?.available ?? 0) < item.quantity) throw new CommandRejection(`${item.sku} out of stock`);
      }
      for (const item of cmd.data.items) await sql.run('update warehouse_stock set available = available - ? where sku = ?', [item.quantity, item.sku]);
      await sql.run('insert into warehouse_reservations (order_id, items, status) values (?, ?, ?)', [cmd.data.orderId, JSON.stringify(cmd.data.items), 'reserved']);
      await ctx.publish(InventoryReserved, { orderId: cmd.data.orderId, items: cmd.data.items });
    })
    .handle(ReleaseStock, async (cmd, ctx) => {
      const sql = shopSql(() => ctx.db);
      if (sql.kind === 'postgres') await sql.all('select sku from warehouse_stock order by sku for update');
      const [r] = await sql.all<{ items: string }>("select items from warehouse_reservations where order_id = ? and status = 'reserved'", [cmd.data.orderId]);
      if (!r) throw new CommandRejection('nothing reserved');
      for (const item of JSON.parse(r.items) as { sku: string; quantity: number }[]) {
        await sql.run('update warehouse_stock set available = available + ? where sku = ?', [item.quantity, item.sku]);
      }
      await sql.run("update warehouse_reservations set status = 'released' where order_id = ?", [cmd.data.orderId]);
    });
}
