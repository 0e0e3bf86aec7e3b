import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createFactline, defineEvent, type Envelope } from '../src/index.js';
import { sqliteEngine, type SqliteDb } from '../src/engines/sqlite/index.js';

const OrderPlaced = defineEvent({
  type: 'shop.order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), total: z.number(), note: z.string().default('') }),
  subject: (d) => d.orderId,
});

describe('types inferred from the schema', () => {
  const app = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'shop/orders' });

  it('types the handler event data from the schema output', () => {
    app.consumer('billing').on(OrderPlaced, (event, ctx) => {
      expectTypeOf(event.data).toEqualTypeOf<{ orderId: string; total: number; note: string }>();
      expectTypeOf(event).toMatchTypeOf<Envelope<{ orderId: string }>>();
      expectTypeOf(ctx.db).toEqualTypeOf<SqliteDb>();
      expectTypeOf(ctx.attempt).toEqualTypeOf<number>();
    });
  });

  it('types publish input from the schema input', () => {
    expectTypeOf(app.publish<typeof OrderPlaced>).parameter(1).toEqualTypeOf<{ orderId: string; total: number; note?: string | undefined }>();
    // @ts-expect-error total is required
    void app.publish(OrderPlaced, { orderId: 'o1' });
    // @ts-expect-error total must be a number
    void app.publish(OrderPlaced, { orderId: 'o1', total: '3' });
  });

  it('types the transaction handle of the engine', async () => {
    await app.transaction(async (tx) => {
      expectTypeOf(tx.db).toEqualTypeOf<SqliteDb>();
      const e = await tx.publish(OrderPlaced, { orderId: 'o1', total: 3 });
      expectTypeOf(e.data.total).toEqualTypeOf<number>();
    });
  });
});
