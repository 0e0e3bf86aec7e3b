import type { Factline } from 'factline';
import { OrderPlaced } from './events.js';
import { shopSql } from './sql.js';

/** The catalog: price in cents and the stock the shop starts with (some run out on purpose). */
export const CATALOG: Readonly<Record<string, { price: number; stock: number }>> = {
  'mug-blue': { price: 1200, stock: 500 },
  'tee-m': { price: 2500, stock: 500 },
  'tee-l': { price: 2500, stock: 500 },
  'poster-a2': { price: 1800, stock: 500 },
  'lamp-desk': { price: 4900, stock: 150 },
  'kettle': { price: 3900, stock: 140 },
};

const COUNTRIES = ['FR', 'DE', 'IT', 'ES', 'NL', 'BE', 'PT', 'IE'];
/** Orders from a market opened this week; the fraud check does not know its country yet. */
export const NEW_MARKET = 'NO';
/** Every `NEW_MARKET_EVERY`th order (from the 17th) ships to the new market. */
const NEW_MARKET_EVERY = 50;

export interface OrderInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string;
  readonly country: string;
  readonly items: { sku: string; quantity: number; unitPrice: number }[];
  readonly total: number;
}

/** The `n`th order of a run (deterministic, so every run tells the same story). */
export function orderNumber(run: string, n: number): OrderInput {
  const skus = Object.keys(CATALOG);
  const items = [0, 1, 2].slice(0, 1 + (n % 3)).map((k) => {
    const sku = skus[(n * 7 + k * 3) % skus.length]!;
    return { sku, quantity: 1 + ((n + k) % 3), unitPrice: CATALOG[sku]!.price };
  });
  const country = n % NEW_MARKET_EVERY === 17 ? NEW_MARKET : COUNTRIES[n % COUNTRIES.length]!;
  return {
    orderId: `${run}-${String(n).padStart(4, '0')}`,
    customerId: `cust-${(n * 13) % 97}`,
    email: `customer${(n * 13) % 97}@example.com`,
    country,
    items,
    total: items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0),
  };
}

/** The orders service: the order row and the OrderPlaced event commit together (the outbox). */
export async function placeOrder(app: Factline<unknown>, order: OrderInput): Promise<void> {
  await app.transaction(async (tx) => {
    await shopSql(tx.db).run('insert into orders (id, customer_id, country, total, placed_at) values (?, ?, ?, ?, ?)', [
      order.orderId, order.customerId, order.country, order.total, new Date().toISOString(),
    ]);
    await tx.publish(OrderPlaced, order);
  });
}
