import { NonRetryableError, type ConsumerOptions, type Factline } from 'factline';
import type { EmailProvider } from './email-provider.js';
import { InvoiceIssued, OrderPlaced, StockReserved, StockUnavailable } from './events.js';
import { shopSql, type ShopSql } from './sql.js';

export const GROUPS = ['billing', 'inventory', 'email', 'analytics', 'fraud'] as const;
export type GroupName = (typeof GROUPS)[number];

export interface ShopConsumers {
  readonly email: EmailProvider;
  /** The fraud check with the fix deployed: it scores countries it has no profile for. */
  readonly fixed: boolean;
  /** Called on every attempt after the first (the demo counts retries per group with it). */
  readonly onRetry: (group: GroupName) => void;
  readonly options: (group: GroupName) => ConsumerOptions;
}

/** Risk per shipping country, as the fraud team configured it before the new market opened. */
const RISK: Readonly<Record<string, number>> = { FR: 10, DE: 8, IT: 15, ES: 12, NL: 9, BE: 11, PT: 14, IE: 10 };

/** The risk service's answer for a country (a fake: an in-process lookup that yields like a call would). */
async function riskOf(country: string): Promise<number | undefined> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return RISK[country];
}

async function bump(sql: ShopSql, name: string, by: number): Promise<void> {
  await sql.run('insert into counters (name, value) values (?, ?) on conflict (name) do update set value = counters.value + excluded.value', [name, by]);
}

/**
 * Registers the shop's five consumer groups. billing, inventory and analytics are store handlers
 * (their writes on ctx.db commit with their inbox rows); email and fraud call the outside world,
 * so they are effect handlers whose commit step writes their row.
 */
export function registerConsumers(app: Factline<unknown>, s: ShopConsumers): void {
  const counted = (group: GroupName, attempt: number) => {
    if (attempt > 1) s.onRetry(group);
  };

  app.consumer('billing', s.options('billing')).on(OrderPlaced, async (event, ctx) => {
    counted('billing', ctx.attempt);
    const invoiceId = `inv-${event.data.orderId}`;
    await shopSql(() => ctx.db).run('insert into invoices (id, order_id, amount) values (?, ?, ?)', [invoiceId, event.data.orderId, event.data.total]);
    await ctx.publish(InvoiceIssued, { invoiceId, orderId: event.data.orderId, email: event.data.email, amount: event.data.total, currency: 'EUR' });
  });

  app.consumer('inventory', s.options('inventory')).on(OrderPlaced, async (event, ctx) => {
    counted('inventory', ctx.attempt);
    const sql = shopSql(() => ctx.db);
    // Stock rows are hot: every partition's transaction updates them. On PostgreSQL, lock them all
    // in one order first so that concurrent transactions queue instead of deadlocking.
    if (sql.kind === 'postgres') await sql.all('select sku from stock order by sku for update');
    const taken: { sku: string; quantity: number }[] = [];
    for (const item of event.data.items) {
      const changed = await sql.run('update stock set available = available - ? where sku = ? and available >= ?', [item.quantity, item.sku, item.quantity]);
      if (changed === 0) {
        for (const t of taken) await sql.run('update stock set available = available + ? where sku = ?', [t.quantity, t.sku]);
        const [row] = await sql.all<{ available: number }>('select available from stock where sku = ?', [item.sku]);
        await sql.run('insert into reservations (order_id, status) values (?, ?)', [event.data.orderId, 'unavailable']);
        await ctx.publish(StockUnavailable, { orderId: event.data.orderId, sku: item.sku, requested: item.quantity, available: Number(row?.available ?? 0) });
        return;
      }
      taken.push(item);
    }
    await sql.run('insert into reservations (order_id, status) values (?, ?)', [event.data.orderId, 'reserved']);
    await ctx.publish(StockReserved, { orderId: event.data.orderId, items: event.data.items });
  });

  // Effect handlers: the provider is called with no transaction open, and the emails row commits
  // with the inbox row afterwards. Only an event whose call failed is called again; the provider
  // deduplicates by the event id, so a call repeated after a crash sends nothing twice.
  app.consumer('email', s.options('email'))
    .effect(OrderPlaced, async (event, ctx) => {
      counted('email', ctx.attempt);
      const messageId = await s.email.send({ idempotencyKey: event.id, to: event.data.email, template: 'order-confirmation' }, ctx.signal);
      return async (tx) => {
        await shopSql(() => tx.db).run('insert into emails (event_id, order_id, template, message_id) values (?, ?, ?, ?)', [event.id, event.data.orderId, 'order-confirmation', messageId]);
      };
    })
    .effect(InvoiceIssued, async (event, ctx) => {
      counted('email', ctx.attempt);
      const messageId = await s.email.send({ idempotencyKey: event.id, to: event.data.email, template: 'invoice' }, ctx.signal);
      return async (tx) => {
        await shopSql(() => tx.db).run('insert into emails (event_id, order_id, template, message_id) values (?, ?, ?, ?)', [event.id, event.data.orderId, 'invoice', messageId]);
      };
    });

  const analytics = app.consumer('analytics', s.options('analytics'));
  analytics.on(OrderPlaced, async (event, ctx) => {
    counted('analytics', ctx.attempt);
    const sql = shopSql(() => ctx.db);
    await bump(sql, 'events', 1);
    await bump(sql, 'orders', 1);
    await bump(sql, 'revenue_cents', event.data.total);
  });
  for (const def of [InvoiceIssued, StockReserved, StockUnavailable] as const) {
    analytics.on(def, async (event, ctx) => {
      counted('analytics', ctx.attempt);
      const sql = shopSql(() => ctx.db);
      await bump(sql, 'events', 1);
      await bump(sql, event.type, 1);
    });
  }

  // The fraud check asks a risk service (an outside call, here a fake): an effect handler, whose
  // verdict row commits afterwards with its inbox row.
  app.consumer('fraud', s.options('fraud')).effect(OrderPlaced, async (event, ctx) => {
    counted('fraud', ctx.attempt);
    let risk = await riskOf(event.data.country);
    if (risk === undefined) {
      // The bug: a new market has no risk profile. Retrying cannot help; the fix scores it instead.
      if (!s.fixed) throw new NonRetryableError(`no risk profile for shipping country ${event.data.country}; order ${event.data.orderId} cannot be scored`);
      risk = 20;
    }
    const score = risk + Math.min(50, Math.floor(event.data.total / 1000));
    return async (tx) => {
      await shopSql(() => tx.db).run('insert into fraud_checks (order_id, score, verdict) values (?, ?, ?)', [event.data.orderId, score, score > 60 ? 'review' : 'clear']);
    };
  });
}

/** What each group has done, read from its own table: its writes commit with its inbox rows, so these count each event once. */
export async function handledCounts(sql: ShopSql): Promise<Record<GroupName, number>> {
  const count = async (q: string) => Number((await sql.all<{ n: number | string | null }>(q))[0]?.n ?? 0);
  return {
    billing: await count('select count(*) as n from invoices'),
    inventory: await count('select count(*) as n from reservations'),
    email: await count('select count(*) as n from emails'),
    analytics: await count("select coalesce(max(value), 0) as n from counters where name = 'events'"),
    fraud: await count('select count(*) as n from fraud_checks'),
  };
}
