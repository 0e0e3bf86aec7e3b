import { describe, expect, it } from 'vitest';
import { effectViolations } from './check-effects.js';
import type { EffectRow } from './crash-event.js';

const row = (key: string, n: number, member = 'c1'): EffectRow => ({ eventId: `${key}.${n}`, key, n, member });

describe('the crash tests’ check of effects', () => {
  it('accepts every key applied once, in order, including events stored but not acknowledged', () => {
    const effects = [row('a', 0), row('b', 0), row('a', 1), row('b', 1), row('a', 2)];
    expect(effectViolations(effects, new Map([['a', 2], ['b', 2]]))).toEqual([]);
  });

  it('reports an event applied twice', () => {
    const effects = [row('a', 0), row('a', 1), row('a', 1, 'c2')];
    expect(effectViolations(effects, new Map([['a', 2]])).join('\n')).toMatch(/a\.1 applied twice/);
  });

  it('reports a key applied out of order', () => {
    const effects = [row('a', 1), row('a', 0)];
    expect(effectViolations(effects, new Map([['a', 2]])).join('\n')).toMatch(/key a: effect of n=1 where n=0 was due/);
  });

  it('reports an acknowledged event without effect', () => {
    expect(effectViolations([row('a', 0)], new Map([['a', 2], ['b', 1]]))).toEqual([
      'key a: 2 events acknowledged, effects only up to n=0',
      'key b: 1 events acknowledged, effects only up to n=-1',
    ]);
  });
});
