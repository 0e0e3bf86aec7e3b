import { expect, it } from 'vitest';
import { FactlineError } from '../core/errors.js';
import { TestPlaced, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

const quick = { leaseTtlMs: 1000, pollMs: 20 };

/** `admin.rewindGroup`: a group handles a range of the log again, while its members run. */
export function rewindContract<Db>(subject: ContractSubject<Db>): void {
  it('rewinds a running group to the beginning: it handles every event again, other groups are not touched', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 2 });
    const calls = new Map<string, number>();
    let others = 0;
    app.consumer('projection', quick).on(TestPlaced, (e) => {
      calls.set(e.id, (calls.get(e.id) ?? 0) + 1);
    });
    app.consumer('mailer', quick).on(TestPlaced, () => void others++);
    await app.start();
    try {
      const events = await app.publishAll(Array.from({ length: 6 }, (_, n) => ({ event: TestPlaced, data: { key: `k${n}`, n } })));
      await eventually('all handled once', async () => {
        const t = await app.engine.admin.status();
        return t.filter((s) => s.group === 'projection').every((s) => s.position === s.head) && calls.size === 6 && others === 6;
      });
      const before = new Map(calls);
      const result = await app.engine.admin.rewindGroup('projection', { beginning: true });
      expect(result.group).toBe('projection');
      expect(result.partitions.map((p) => p.to)).toEqual(result.partitions.map(() => 0));
      expect(result.partitions.reduce((n, p) => n + p.from, 0)).toBe(6);
      expect(result.partitions.reduce((n, p) => n + p.inboxCleared, 0)).toBe(6);
      expect(result.heldUntil).toBeGreaterThan(Date.now() - 1000);
      await eventually('every event handled again', () => events.every((e) => (calls.get(e.id) ?? 0) > (before.get(e.id) ?? 0)), 30_000);
      await eventually('the group caught up again', async () => (await app.engine.admin.status()).filter((s) => s.group === 'projection').every((s) => s.position === s.head && s.owner !== undefined && s.owner !== 'factline rewind'));
      expect(others).toBe(6);
      // Rewinding a group that is already before the target changes nothing.
      const again = await app.engine.admin.rewindGroup('mailer', { sequence: 1_000 });
      expect(again.partitions).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('rewinds to a sequence or a time: only the events from there on run again', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const handled: number[] = [];
    app.consumer('audit', quick).on(TestPlaced, (e) => void handled.push(e.data.n));
    await app.start();
    try {
      for (let n = 1; n <= 4; n++) await app.publish(TestPlaced, { key: 'k', n });
      await eventually('four handled', () => handled.length === 4);
      const bySequence = await app.engine.admin.rewindGroup('audit', { sequence: 3 });
      expect(bySequence.partitions).toEqual([{ partition: 0, from: 4, to: 2, inboxCleared: 2, parkedCleared: 0 }]);
      await eventually('3 and 4 again', () => handled.length === 6, 30_000);
      expect(handled).toEqual([1, 2, 3, 4, 3, 4]);

      await new Promise((r) => setTimeout(r, 5));
      const since = Date.now();
      await app.publish(TestPlaced, { key: 'k', n: 5 });
      await eventually('5 handled', () => handled.length === 7);
      const byTime = await app.engine.admin.rewindGroup('audit', { time: since });
      expect(byTime.partitions).toEqual([{ partition: 0, from: 5, to: 4, inboxCleared: 1, parkedCleared: 0 }]);
      await eventually('5 again', () => handled.length === 8, 30_000);
      expect(handled.slice(6)).toEqual([5, 5]);
    } finally {
      await app.stop();
    }
  });

  it('refuses an unknown group and a bad target, changing nothing', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    app.consumer('known', quick).on(TestPlaced, () => undefined);
    await app.start();
    try {
      await expect(app.engine.admin.rewindGroup('nobody', { beginning: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(app.engine.admin.rewindGroup('known', { sequence: 0 })).rejects.toBeInstanceOf(FactlineError);
      await expect(app.engine.admin.rewindGroup('known', { beginning: true }, { partitions: [7] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await app.stop();
    }
  });
}
