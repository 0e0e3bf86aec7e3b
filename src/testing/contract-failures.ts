import { expect, it } from 'vitest';
import type { DeadLetterRecord } from '../core/engine.js';
import { FactlineError, HandlerTimeoutError, NonRetryableError } from '../core/errors.js';
import { TestPlaced, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

const fast = { initialDelayMs: 30, maxDelayMs: 100, jitter: 0 };

/** Retries, parking, dead letters, replay and timeouts. */
export function failureContract<Db>(subject: ContractSubject<Db>): void {
  it('parks the key while an event of it is retried, and lets other keys flow', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const log: string[] = [];
    let failuresLeft = 2;
    app.consumer('picky', { retry: { ...fast, attempts: 5 } }).on(TestPlaced, async (e, ctx) => {
      if (e.data.key === 'bad' && e.data.n === 1 && failuresLeft-- > 0) throw new Error('downstream unavailable');
      // A batch that rolls back runs its other handlers again: keep the first run of each.
      const entry = `${e.data.key}${e.data.n}@${ctx.attempt}`;
      if (!log.includes(entry)) log.push(entry);
    });
    await app.publishAll([
      { event: TestPlaced, data: { key: 'bad', n: 1 } },
      { event: TestPlaced, data: { key: 'bad', n: 2 } },
      { event: TestPlaced, data: { key: 'good', n: 1 } },
      { event: TestPlaced, data: { key: 'good', n: 2 } },
    ]);
    await app.start();
    try {
      await eventually('all handled', () => log.length === 4);
      expect(log.filter((l) => l.startsWith('bad'))).toEqual(['bad1@3', 'bad2@1']);
      expect(log.indexOf('good2@1')).toBeLessThan(log.indexOf('bad1@3'));
      expect(await app.engine.admin.listDeadLetters({})).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('makes an event a dead letter after its last attempt, alerts once, releases the key, and replays to that group only', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const alerts: { dl: DeadLetterRecord; first: boolean }[] = [];
    let broken = true;
    const handled: string[] = [];
    const other: string[] = [];
    app
      .consumer('fragile', { retry: { ...fast, attempts: 2 }, onDeadLetter: (dl, info) => void alerts.push({ dl, first: info.first }) })
      .on(TestPlaced, async (e) => {
        if (broken && e.data.key === 'bad') throw new Error(`cannot handle ${e.data.n}`);
        if (!handled.includes(`${e.data.key}${e.data.n}`)) handled.push(`${e.data.key}${e.data.n}`);
      });
    app.consumer('bystander').on(TestPlaced, (e) => void other.push(`${e.data.key}${e.data.n}`));
    await app.publishAll([
      { event: TestPlaced, data: { key: 'bad', n: 1 } },
      { event: TestPlaced, data: { key: 'bad', n: 2 } },
      { event: TestPlaced, data: { key: 'good', n: 1 } },
    ]);
    await app.start();
    try {
      await eventually('two dead letters', async () => (await app.engine.admin.listDeadLetters({ group: 'fragile', status: 'open' })).length === 2);
      await eventually('bystander done', () => other.length === 3);
      expect(handled).toEqual(['good1']);
      expect(alerts.map((a) => a.first)).toEqual([true, false]);
      const [dl] = await app.engine.admin.listDeadLetters({ group: 'fragile' });
      expect(dl).toMatchObject({ group: 'fragile', eventType: 'test.item.placed', subject: 'bad', status: 'open' });
      expect(dl!.errors.map((e) => [e.attempt, e.message])).toEqual([[1, 'cannot handle 1'], [2, 'cannot handle 1']]);
      expect(dl!.errors[0]!.stack).toContain('cannot handle 1');

      broken = false;
      await app.engine.admin.replayDeadLetter(dl!.id, { by: 'ops', why: 'fixed the bug' });
      await eventually('replayed event handled', () => handled.includes('bad1'));
      await expect(app.engine.admin.replayDeadLetter(dl!.id, { by: 'ops', why: 'again' })).rejects.toMatchObject({ code: 'ALREADY_RESOLVED' });
      await expect(app.engine.admin.discardDeadLetter('no-such-id', { by: 'ops', why: 'x' })).rejects.toBeInstanceOf(FactlineError);
      const after = await app.engine.admin.getDeadLetter(dl!.id);
      expect(after).toMatchObject({ status: 'replayed', resolvedBy: 'ops', resolution: 'fixed the bug' });
      expect(other).toHaveLength(3);
    } finally {
      await app.stop();
    }
  });

  it('keeps the key parked behind a dead letter in strict mode until it is discarded', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const handled: string[] = [];
    app.consumer('strict', { strict: true, retry: { ...fast, attempts: 1 } }).on(TestPlaced, async (e) => {
      if (e.data.n === 1) throw new NonRetryableError('order 1 is corrupt');
      if (!handled.includes(`${e.data.key}${e.data.n}`)) handled.push(`${e.data.key}${e.data.n}`);
    });
    await app.publishAll([
      { event: TestPlaced, data: { key: 'a', n: 1 } },
      { event: TestPlaced, data: { key: 'a', n: 2 } },
      { event: TestPlaced, data: { key: 'b', n: 2 } },
    ]);
    await app.start();
    try {
      await eventually('b handled', () => handled.includes('b2'));
      // The handler's call is seen before its transaction commits: wait for the commit too.
      const [dl] = await eventually('a dead letter', async () => {
        const list = await app.engine.admin.listDeadLetters({ group: 'strict' });
        return list.length ? list : undefined;
      });
      expect(dl!.reason).toMatch(/not retryable: order 1 is corrupt/);
      expect(dl!.errors).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(handled).toEqual(['b2']);
      await app.engine.admin.discardDeadLetter(dl!.id, { by: 'ops', why: 'order cancelled by hand' });
      await eventually('a2 released', () => handled.includes('a2'));
    } finally {
      await app.stop();
    }
  });

  it('aborts a handler that runs past its timeout and counts it as a failed attempt', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const signals: AbortSignal[] = [];
    app.consumer('slow', { timeoutMs: 100, retry: { ...fast, attempts: 2 } }).on(TestPlaced, async (_e, ctx) => {
      signals.push(ctx.signal);
      await new Promise((r) => setTimeout(r, 400));
    });
    await app.publish(TestPlaced, { key: 'k', n: 1 });
    await app.start();
    try {
      const [dl] = await eventually('dead letter', () => app.engine.admin.listDeadLetters({ group: 'slow' }).then((l) => (l.length ? l : undefined)));
      expect(dl!.errors.map((e) => e.message)).toEqual([expect.stringMatching(/timeout of 100 ms/), expect.stringMatching(/timeout of 100 ms/)]);
      expect(signals.every((s) => s.aborted && s.reason instanceof HandlerTimeoutError)).toBe(true);
    } finally {
      await app.stop();
    }
  });
}
