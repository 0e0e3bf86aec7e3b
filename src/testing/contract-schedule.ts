import { expect, it } from 'vitest';
import { FactlineError } from '../core/errors.js';
import { TestPlaced, TestShipped, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

/** Scheduled delivery: durable, appended once when due, cancellable before. */
export function scheduleContract<Db>(subject: ContractSubject<Db>): void {
  it('appends every due scheduled event exactly once while two apps deliver', async () => {
    const open = await subject.freshStore();
    const a = testApp(open(), { scheduledPollMs: 5 });
    const b = testApp(open(), { scheduledPollMs: 5 });
    const seen: string[] = [];
    a.consumer('watch').on(TestPlaced, (e) => void seen.push(e.id));
    await a.start();
    await b.start();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) ids.push((await (i % 2 ? a : b).schedule(TestPlaced, { key: `k${i % 5}`, n: i }, { delayMs: 20 + (i % 10) * 10 })).id);
      await eventually('every scheduled event handled', () => seen.length >= 60);
      await new Promise((r) => setTimeout(r, 100));
      expect([...seen].sort()).toEqual([...ids].sort());
      expect((await a.engine.admin.heads()).reduce((x, y) => x + y, 0)).toBe(60);
      expect(await a.engine.admin.scheduled({})).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('cancels a scheduled event before it is due: it is never appended; a second cancel finds nothing', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { scheduledPollMs: 5 });
    await app.start();
    try {
      const later = await app.schedule(TestPlaced, { key: 'k', n: 1 }, { delayMs: 60_000 });
      const pending = await app.engine.admin.scheduled({ key: 'k' });
      expect(pending.map((p) => [p.id, p.type, p.dueAt])).toEqual([[later.id, TestPlaced.type, later.dueAt]]);
      expect(await app.cancelScheduled(later.id)).toBe(true);
      expect(await app.cancelScheduled(later.id)).toBe(false);
      expect(await app.engine.admin.scheduled({})).toEqual([]);
      const now = await app.schedule(TestShipped, { key: 'k', n: 2 }, { at: new Date(Date.now() - 1000) });
      await eventually('the past-due event appended', async () => (await app.engine.admin.findEvent(now.id)) !== undefined);
      expect(await app.cancelScheduled(now.id)).toBe(false);
      expect(await app.engine.admin.findEvent(later.id)).toBeUndefined();
    } finally {
      await app.stop();
    }
  });

  it('schedules in the caller\'s transaction: a rollback schedules nothing', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    try {
      await expect(app.transaction(async (tx) => {
        await tx.schedule(TestPlaced, { key: 'k', n: 1 }, { delayMs: 1000 });
        throw new Error('declined');
      })).rejects.toThrow('declined');
      expect(await app.engine.admin.scheduled({})).toEqual([]);
      await app.transaction(async (tx) => {
        await app.schedule(TestPlaced, { key: 'k', n: 2 }, { delayMs: 60_000 });
        await tx.schedule(TestPlaced, { key: 'k', n: 3 }, { delayMs: 60_000 });
      });
      expect((await app.engine.admin.scheduled({})).length).toBe(2);
    } finally {
      await app.stop();
    }
  });

  it('keeps a scheduled event across a restart: the next app delivers it, its time the delivery time', async () => {
    const open = await subject.freshStore();
    const first = testApp(open());
    await first.start();
    const s = await first.schedule(TestPlaced, { key: 'k', n: 1 }, { delayMs: 300 });
    await first.stop();
    const second = testApp(open(), { scheduledPollMs: 5 });
    const got: { id: string; time: string; data: unknown }[] = [];
    second.consumer('later').on(TestPlaced, (e) => void got.push({ id: e.id, time: e.time, data: e.data }));
    await second.start();
    try {
      await eventually('the event delivered after the restart', () => got.length === 1);
      expect(got[0]!.id).toBe(s.id);
      expect(got[0]!.data).toEqual({ key: 'k', n: 1 });
      expect(Date.parse(got[0]!.time)).toBeGreaterThanOrEqual(s.dueAt);
    } finally {
      await second.stop();
    }
  });

  it('refuses a schedule without exactly one of at and delayMs, storing nothing', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    try {
      for (const bad of [{}, { at: Date.now(), delayMs: 5 }, { delayMs: -1 }, { at: Number.NaN }]) {
        const err = await app.schedule(TestPlaced, { key: 'k', n: 1 }, bad).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FactlineError);
        expect((err as FactlineError).code).toBe('INVALID_ARGUMENT');
      }
      expect(await app.engine.admin.scheduled({})).toEqual([]);
    } finally {
      await app.stop();
    }
  });
}
