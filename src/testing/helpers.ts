import { z } from 'zod';
import type { Engine } from '../core/engine.js';
import { defineEvent } from '../core/event.js';
import { createFactline, type Factline, type FactlineOptions } from '../app.js';
import type { Logger } from '../observe/logger.js';

/** Waits until `check` returns a truthy value (polling), or fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A logger that keeps entries in memory, for tests that check what was logged. */
export function memoryLogger(): Logger & { entries: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const entries: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void entries.push({ level, fields, message });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

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
