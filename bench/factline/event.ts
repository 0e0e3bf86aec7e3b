/** The canonical workload's event as Factline defines it, and the partitions of every bench log. */
import { z } from 'zod';
import { defineEvent } from 'factline';

export const BenchOrderEvent = defineEvent({
  type: 'bench.order.event',
  version: 1,
  schema: z.object({
    id: z.string(),
    type: z.string(),
    key: z.string(),
    occurredAt: z.string(),
    data: z.object({
      orderId: z.string(),
      amountCents: z.number().int(),
      currency: z.string(),
      lines: z.number().int(),
      channel: z.string(),
      note: z.string(),
    }),
  }),
  subject: (d) => d.key,
});

export const PARTITIONS = 16;
