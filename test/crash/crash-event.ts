import { z } from 'zod';
import { defineEvent } from '../../src/index.js';

/**
 * The one event the crash tests publish: the `n`-th event of `key` (0, 1, 2... in publish order
 * per key). Its id is derived from key and counter, so a producer that republishes after a crash
 * reuses the id and the consumers' inbox recognises the copy.
 */
export const counterAdvanced = defineEvent({
  type: 'crash.counter.advanced',
  version: 1,
  schema: z.object({ key: z.string().min(1), n: z.number().int().min(0) }),
  subject: (data) => data.key,
});

export const CRASH_GROUP = 'effects';
export const CRASH_PARTITIONS = 8;

export function crashEventId(key: string, n: number): string {
  return `${key}.${n}`;
}

/** A row of the `effects` table that the consumers' handler writes in its transaction. */
export interface EffectRow {
  readonly eventId: string;
  readonly key: string;
  readonly n: number;
  /** The consumer process that wrote it (its name given by the test). */
  readonly member: string;
}
