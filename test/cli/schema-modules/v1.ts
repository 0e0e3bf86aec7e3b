import { z } from 'zod';
import { defineEvent } from '../../../src/index.js';

export const OrderPlaced = defineEvent({
  type: 'shop.order.placed', version: 1,
  schema: z.object({ orderId: z.string(), total: z.number() }),
  subject: (d) => d.orderId,
});
