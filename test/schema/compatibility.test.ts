import { describe, expect, it } from 'vitest';
import { checkHistory, compareSchemas } from '../../src/schema/compatibility.js';
import { MODES, type CompatibilityMode } from '../../src/schema/modes.js';
import { CORPUS, type CorpusPair } from './corpus.js';

function expected(pair: CorpusPair, mode: CompatibilityMode): boolean {
  const b = pair.backward === true;
  const f = pair.forward === true;
  if (mode === 'NONE') return true;
  if (mode.startsWith('BACKWARD')) return b;
  if (mode.startsWith('FORWARD')) return f;
  return b && f;
}

describe('the compatibility corpus', () => {
  it('holds at least 60 pairs', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((p) => p.name)).size).toBe(CORPUS.length);
  });

  for (const pair of CORPUS) {
    it(pair.name, () => {
      for (const mode of MODES) {
        const breaks = compareSchemas(pair.older, pair.newer, mode, { olderLabel: 'v1', newerLabel: 'v2' });
        expect(breaks.length === 0, `${mode}: ${breaks.map((b) => b.message).join('; ') || 'no break'}`).toBe(expected(pair, mode));
        for (const b of breaks) expect(b.message).toContain(`breaks ${mode}`);
      }
      for (const [direction, mode] of [['backward', 'BACKWARD'], ['forward', 'FORWARD']] as const) {
        const rule = pair[direction];
        if (typeof rule !== 'string') continue;
        const [first] = compareSchemas(pair.older, pair.newer, mode, { olderLabel: 'v1', newerLabel: 'v2' });
        expect(first?.rule, first?.message).toBe(rule);
      }
    });
  }
});

describe('messages', () => {
  const v1 = { type: 'object', properties: { orderId: { type: 'string' }, total: { type: 'number' } }, required: ['orderId', 'total'] };
  const v2 = { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] };

  it('names the field, the change, the mode and who cannot read what', () => {
    const [b] = compareSchemas(v1, v2, 'FORWARD', { olderLabel: 'v1', newerLabel: 'v2' });
    expect(b).toMatchObject({ path: 'total', rule: 'required-added', direction: 'forward' });
    expect(b!.message).toBe('removing required field total breaks FORWARD: consumers of v1 require it');
    const [back] = compareSchemas(v2, v1, 'BACKWARD', { olderLabel: 'v1', newerLabel: 'v2' });
    expect(back!.message).toBe('adding required field total breaks BACKWARD: events of v1 may lack it');
  });

  it('gives nested paths with dots and array items with []', () => {
    const older = { type: 'object', properties: { lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } } } };
    const newer = { type: 'object', properties: { lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'number' } }, required: ['sku'] } } } };
    expect(compareSchemas(older, newer, 'BACKWARD')[0]!.path).toBe('lines[].sku');
  });
});

describe('transitive modes', () => {
  // v2 drops optional b; v3 brings b back as a string: each step is FULL, v1 to v3 is not.
  const v1 = { version: 1, schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a'] } };
  const v2 = { version: 2, schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } };
  const v3 = { version: 3, schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'] } };

  it('compares with the latest older version only, unless transitive', () => {
    for (const mode of ['BACKWARD', 'FORWARD', 'FULL'] as const) expect(checkHistory([v1, v2], v3, mode)).toEqual([]);
    for (const mode of ['BACKWARD_TRANSITIVE', 'FORWARD_TRANSITIVE', 'FULL_TRANSITIVE'] as const) {
      const breaks = checkHistory([v1, v2], v3, mode);
      expect(breaks.length, mode).toBeGreaterThan(0);
      expect(breaks[0]!.path).toBe('b');
      expect(breaks[0]!.message).toMatch(/v1/);
    }
    expect(checkHistory([v1, v2], v3, 'NONE')).toEqual([]);
  });
});
