import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createFactline, defineEvent, type Envelope } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';

const PlacedV1 = defineEvent({
  type: 'shop.order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), total: z.number() }),
  subject: (d) => d.orderId,
});

const PlacedV2 = defineEvent({
  type: 'shop.order.placed',
  version: 2,
  schema: z.object({ orderId: z.string(), amount: z.object({ value: z.number(), currency: z.string() }) }),
  subject: (d) => d.orderId,
  from: PlacedV1,
  upcast: (v1) => {
    expectTypeOf(v1).toEqualTypeOf<{ orderId: string; total: number }>();
    return { orderId: v1.orderId, amount: { value: v1.total, currency: 'EUR' } };
  },
});

describe('versions side by side', () => {
  const app = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'shop/orders' });

  it('types a v2 handler with v2 data, whatever version the event was published with', () => {
    app.consumer('billing').on(PlacedV2, (event) => {
      expectTypeOf(event.data).toEqualTypeOf<{ orderId: string; amount: { value: number; currency: string } }>();
      expectTypeOf(event).toMatchTypeOf<Envelope<{ orderId: string }>>();
    });
    app.consumer('legacy').on(PlacedV1, (event) => {
      expectTypeOf(event.data).toEqualTypeOf<{ orderId: string; total: number }>();
    });
  });

  it('refuses v1 data published with the v2 definition, and the reverse', () => {
    // @ts-expect-error v2 has no total; it needs amount
    void app.publish(PlacedV2, { orderId: 'o1', total: 3 });
    // @ts-expect-error v1 has no amount
    void app.publish(PlacedV1, { orderId: 'o1', amount: { value: 3, currency: 'EUR' } });
    void app.publish(PlacedV2, { orderId: 'o1', amount: { value: 3, currency: 'EUR' } });
  });

  it('types the upcast from the previous version to this version', () => {
    defineEvent({
      type: 'shop.order.placed',
      version: 3,
      schema: z.object({ orderId: z.string() }),
      subject: (d) => d.orderId,
      from: PlacedV2,
      // @ts-expect-error the upcast must return v3's input: orderId is a string
      upcast: (v2) => ({ orderId: v2.amount.value }),
    });
    defineEvent({
      type: 'shop.order.placed',
      version: 3,
      schema: z.object({ orderId: z.string() }),
      subject: (d) => d.orderId,
      // @ts-expect-error from must be a version of the same type
      from: defineEvent({ type: 'shop.order.cancelled', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => d.orderId }),
      upcast: () => ({ orderId: 'x' }),
    });
  });
});
