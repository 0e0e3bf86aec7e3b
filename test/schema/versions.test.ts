import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFactline, defineEvent } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger } from '../../src/testing/helpers.js';

const TYPE = 'test.item.placed';
const V1 = defineEvent({ type: TYPE, version: 1, schema: z.object({ id: z.string(), n: z.number() }), subject: (d) => d.id });
const V2 = defineEvent({
  type: TYPE, version: 2, schema: z.object({ id: z.string(), count: z.number().int() }), subject: (d) => d.id,
  from: V1, upcast: (d) => ({ id: d.id, count: d.n }),
});
const V3 = defineEvent({
  type: TYPE, version: 3, schema: z.object({ id: z.string(), count: z.number().int(), unit: z.string() }), subject: (d) => d.id,
  from: V2, upcast: (d) => ({ ...d, unit: 'piece' }),
});

const app = (file = ':memory:') => createFactline({ engine: sqliteEngine({ file }), source: 'test/items', partitions: 1, logger: memoryLogger() });

describe('versions and upcasting', () => {
  it('upcasts through the whole chain (v1 to v3) for a v3 handler', async () => {
    const a = app();
    const seen: unknown[] = [];
    a.consumer('g', { pollMs: 10 }).on(V3, (e) => void seen.push(e.data));
    await a.start();
    try {
      await a.publish(V1, { id: 'a', n: 2 });
      await a.publish(V2, { id: 'b', count: 3 });
      await a.publish(V3, { id: 'c', count: 4, unit: 'kg' });
      await eventually('three handled', () => seen.length === 3);
      expect(seen).toEqual([{ id: 'a', count: 2, unit: 'piece' }, { id: 'b', count: 3, unit: 'piece' }, { id: 'c', count: 4, unit: 'kg' }]);
      expect((await a.engine.admin.handlers()).map((h) => h.version)).toEqual([3]);
    } finally {
      await a.stop();
    }
  });

  it('gives each version to its own handler when the group handles both, without upcasting', async () => {
    const a = app();
    const seen: string[] = [];
    a.consumer('g', { pollMs: 10 }).on(V2, (e) => void seen.push(`v2:${e.data.id}`)).on(V1, (e) => void seen.push(`v1:${e.data.id}:${e.data.n}`));
    await a.start();
    try {
      await a.publish(V1, { id: 'a', n: 1.5 });
      await a.publish(V2, { id: 'b', count: 2 });
      await eventually('both handled', () => seen.length === 2);
      expect(seen).toEqual(['v1:a:1.5', 'v2:b']);
    } finally {
      await a.stop();
    }
  });

  it('dead-letters an upcast result that fails the handler version\'s schema, naming the upcast', async () => {
    const a = app();
    a.consumer('g', { pollMs: 10 }).on(V2, () => undefined);
    await a.start();
    try {
      await a.publish(V1, { id: 'a', n: 1.5 });   // 1.5 is no integer count
      const [dl] = await eventually('dead letter', async () => {
        const l = await a.engine.admin.listDeadLetters({ group: 'g' });
        return l.length ? l : undefined;
      });
      expect(dl!.reason).toMatch(/invalid data: cannot handle upcast v1 data of test\.item\.placed: field count/);
    } finally {
      await a.stop();
    }
  });

  it('retries an upcast that throws, like a handler that throws', async () => {
    let calls = 0;
    const Flaky = defineEvent({
      type: TYPE, version: 2, schema: z.object({ id: z.string(), count: z.number() }), subject: (d) => d.id, from: V1,
      upcast: (d) => {
        if (++calls === 1) throw new Error('lookup table not loaded');
        return { id: d.id, count: d.n };
      },
    });
    const a = app();
    const seen: unknown[] = [];
    a.consumer('g', { pollMs: 10, retry: { initialDelayMs: 5 } }).on(Flaky, (e) => void seen.push(e.data));
    await a.start();
    try {
      await a.publish(V1, { id: 'a', n: 1 });
      await eventually('handled on the second attempt', () => seen.length === 1);
      expect(calls).toBe(2);
    } finally {
      await a.stop();
    }
  });
});
