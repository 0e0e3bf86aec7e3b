import { z } from 'zod';
import { defineEvent } from '../../../src/index.js';
import { OrderPlaced as V1 } from './v1.js';

export const events = [V1, defineEvent({
  type: 'shop.order.placed', version: 2,
  schema: z.object({ orderId: z.string(), total: z.number(), currency: z.string() }),
  subject: (d) => d.orderId,
  from: V1, upcast: (d) => ({ ...d, currency: 'EUR' }),
})];
