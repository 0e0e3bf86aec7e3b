import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultRetryPolicy, partitionOf, RetryLaterError, NonRetryableError, uuidv7 } from '../src/index.js';
import { decideFailure, retryPolicy } from '../src/consumer/retry-policy.js';
import { runByKey } from '../src/consumer/key-scheduler.js';
import { uuidv7Time } from '../src/core/ids.js';

describe('ids', () => {
  it('makes UUIDv7 ids that sort in creation order and carry their time', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(uuidv7Time(uuidv7(1_800_000_000_123))).toBeGreaterThanOrEqual(1_800_000_000_123);
  });
});

describe('partitions', () => {
  it('maps a key to the same partition on every call and spreads keys evenly', () => {
    expect(partitionOf('order-42', 16)).toBe(partitionOf('order-42', 16));
    // Pinned values: changing the hash would move every stored key to another partition.
    expect([partitionOf('order-42', 16), partitionOf('a', 7), partitionOf('ü-key', 1000)]).toEqual([4, 5, 788]);
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionOf(`customer-${i}`, 8)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
  });

  it('uses FNV-1a so the mapping is stable across versions', () => {
    // FNV-1a 32 of "a" is 0xe40c292c; of "" is 0x811c9dc5.
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    expect(partitionOf('', 1000)).toBe(0x811c9dc5 % 1000);
  });
});

describe('retry policy', () => {
  it('backs off exponentially with jitter and a cap', () => {
    const p = retryPolicy({ initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0.2 });
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(p, a, () => 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(p, 2, () => 0)).toBe(160);
    expect(backoffDelay(p, 2, () => 1)).toBe(240);
    expect(backoffDelay(p, 10, () => 1)).toBe(1000);
  });

  it('sends non-retryable and exhausted failures to the dead letters and honours RetryLaterError', () => {
    const p = retryPolicy({ attempts: 3 });
    expect(decideFailure(p, 1, new NonRetryableError('bad card'))).toEqual({ kind: 'dead', reason: 'not retryable: bad card' });
    expect(decideFailure(p, 3, new Error('boom'))).toEqual({ kind: 'dead', reason: 'failed 3 attempts: boom' });
    expect(decideFailure(p, 1, new RetryLaterError(5000))).toEqual({ kind: 'retry', delayMs: 5000 });
    expect(defaultRetryPolicy.attempts).toBe(5);
  });

  it('refuses a policy that cannot work', () => {
    expect(() => retryPolicy({ attempts: 0 })).toThrow(/attempts/);
    expect(() => new RetryLaterError(-1)).toThrow(/0 ms or more/);
  });
});

describe('key scheduler', () => {
  it('runs one key in order, keys concurrently up to the limit, and stops a key at its first failure', async () => {
    let active = 0;
    let peak = 0;
    const ran: string[] = [];
    const items = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3', 'd1', 'c2'];
    await runByKey(items, (i) => i[0]!, 2, async (item) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      ran.push(item);
      return item !== 'b1';
    });
    expect(peak).toBe(2);
    expect(ran).not.toContain('b2');
    for (const k of ['a', 'c']) expect(ran.filter((i) => i[0] === k)).toEqual(items.filter((i) => i[0] === k));
  });
});
