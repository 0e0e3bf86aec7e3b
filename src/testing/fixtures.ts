import { z } from 'zod';
import type { Engine } from '../core/engine.js';
import { defineEvent } from '../core/event.js';
import { createFactline, type Factline, type FactlineOptions } from '../app.js';
import { memoryLogger } from './helpers.js';

/** Event types the contract suite publishes. */
export const TestPlaced = defineEvent({
  type: 'test.item.placed',
  version: 1,
  schema: z.object({ key: z.string(), n: z.number().int() }),
  subject: (d) => d.key,
});

export const TestShipped = defineEvent({
  type: 'test.item.shipped',
  version: 1,
  schema: z.object({ key: z.string(), n: z.number().int() }),
  subject: (d) => d.key,
});

export const TestIgnored = defineEvent({
  type: 'test.item.ignored',
  version: 1,
  schema: z.object({ key: z.string() }),
  subject: (d) => d.key,
});

/** An app over `engine` with test defaults: few partitions, short leases, quiet logs. */
export function testApp<Db>(engine: Engine<Db>, options: Partial<FactlineOptions<Db>> = {}): Factline<Db> {
  return createFactline({ engine, source: 'test/contract', partitions: 4, logger: memoryLogger(), ...options });
}
