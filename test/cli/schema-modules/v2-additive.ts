import { z } from 'zod';
import { defineEvent } from '../../../src/index.js';
import { OrderPlaced as V1 } from './v1.js';

// v1 is not exported: the lock still sees it through v2's `from`.
export const OrderPlaced = defineEvent({
  type: 'shop.order.placed', version: 2,
  schema: z.object({ orderId: z.string(), total: z.number(), currency: z.string().default('EUR') }),
  subject: (d) => d.orderId,
  from: V1, upcast: (d) => ({ ...d, currency: 'EUR' }),
});
