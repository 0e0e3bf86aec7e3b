/** The event of the slow-group scenario: an order whose data carries its publish time. */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { defineEvent } from 'factline';
import { ENTITY_KEYS } from '../workload.js';

export const SlowOrder = defineEvent({
  type: 'bench.slow.order',
  version: 1,
  schema: z.object({
    key: z.string(),
    n: z.number().int(),
    /** {@link wallNow} when publish() was called: comparable across processes on one machine. */
    publishedAt: z.number(),
    note: z.string(),
  }),
  subject: (d) => d.key,
});

/** High-resolution wall-clock milliseconds, comparable between processes of one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The data of event `n`, over the workload's 1,000 keys, about 250 bytes. */
export function slowOrderData(n: number): { key: string; n: number; publishedAt: number; note: string } {
  return { key: `customer-${String((n * 7919) % ENTITY_KEYS).padStart(4, '0')}`, n, publishedAt: wallNow(), note: 'x'.repeat(200) };
}
