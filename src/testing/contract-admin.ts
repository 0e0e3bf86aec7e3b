import { expect, it } from 'vitest';
import type { TimedRecord } from '../core/engine.js';
import { NonRetryableError } from '../core/errors.js';
import { eventPage } from '../dashboard/event-page.js';
import { TestPlaced, TestShipped, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

/** Reads every page from the newest, following `next`. */
async function allPages(admin: Parameters<typeof eventPage>[0], q: Omit<Parameters<typeof eventPage>[1], 'cursor'>): Promise<{ pages: TimedRecord[][] }> {
  const pages: TimedRecord[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await eventPage(admin, { ...q, cursor });
    pages.push(page.events);
    if (!page.next) return { pages };
    cursor = page.next;
  }
  throw new Error('pages never ended');
}

/** The admin reads the dashboard and the CLI build on: event windows, keyset pages, dead-letter filters and counts. */
export function adminContract<Db>(subject: ContractSubject<Db>): void {
  it('reads a partition backwards in a window, newest first, filtered by type and subject', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    try {
      await app.publishAll(Array.from({ length: 10 }, (_, i) => ({ event: i % 2 ? TestShipped : TestPlaced, data: { key: i < 5 ? 'a' : 'b', n: i } })));
      const w = await app.engine.admin.eventsBefore({ partition: 0, before: 9, from: 3, limit: 100 });
      expect(w.map((r) => r.sequence)).toEqual([8, 7, 6, 5, 4, 3]);
      expect(w.every((r) => typeof r.time === 'number' && r.time > 0)).toBe(true);
      expect(await app.engine.admin.eventTime(0, 3)).toBe(w[5]!.time);
      expect(await app.engine.admin.eventTime(0, 11)).toBeUndefined();
      const limited = await app.engine.admin.eventsBefore({ partition: 0, before: 11, from: 1, limit: 2 });
      expect(limited.map((r) => r.sequence)).toEqual([10, 9]);
      const shipped = await app.engine.admin.eventsBefore({ partition: 0, before: 11, from: 1, limit: 100, type: TestShipped.type });
      expect(shipped.map((r) => r.sequence)).toEqual([10, 8, 6, 4, 2]);
      const b = await app.engine.admin.eventsBefore({ partition: 0, before: 11, from: 1, limit: 100, subject: 'b', type: TestPlaced.type });
      expect(b.map((r) => r.sequence)).toEqual([9, 7]);
      expect(JSON.parse(b[0]!.body)).toMatchObject({ subject: 'b', type: TestPlaced.type, sequence: '0000000000000009' });
    } finally {
      await app.stop();
    }
  });

  it('pages the whole log newest first, every event exactly once, with and without filters, whatever the window', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 4 });
    try {
      const published = [];
      for (let round = 0; round < 5; round++) {
        published.push(...await app.publishAll(Array.from({ length: 9 }, (_, i) => ({ event: i % 3 ? TestPlaced : TestShipped, data: { key: `k${(i * 7 + round) % 11}`, n: round * 10 + i } }))));
      }
      for (const window of [2, 7, 5000]) {
        const { pages } = await allPages(app.engine.admin, { limit: 4, window });
        const seen = pages.flat();
        expect(pages.every((p) => p.length <= 4)).toBe(true);
        expect(seen.map((e) => e.id).sort()).toEqual(published.map((e) => e.id).sort());
        // Each partition comes newest first.
        for (let p = 0; p < 4; p++) {
          const seqs = seen.filter((e) => e.partition === p).map((e) => e.sequence);
          expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
        }
        const shipped = (await allPages(app.engine.admin, { limit: 3, window, type: TestShipped.type })).pages.flat();
        expect(shipped.map((e) => e.id).sort()).toEqual(published.filter((e) => e.type === TestShipped.type).map((e) => e.id).sort());
        const ofK3 = (await allPages(app.engine.admin, { limit: 2, window, subject: 'k3' })).pages.flat();
        expect(ofK3.map((e) => e.id).sort()).toEqual(published.filter((e) => e.subject === 'k3').map((e) => e.id).sort());
        expect(ofK3.length).toBeGreaterThan(0);
      }
      const first = await eventPage(app.engine.admin, { limit: 5 });
      const times = first.events.map((e) => e.time);
      expect(times).toEqual([...times].sort((x, y) => y - x));
      await expect(eventPage(app.engine.admin, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'BAD_CURSOR' });
      await expect(eventPage(app.engine.admin, { cursor: '1.1' })).rejects.toMatchObject({ code: 'BAD_CURSOR' });
    } finally {
      await app.stop();
    }
  });

  it('filters dead letters by subject and counts the open ones per group with the oldest', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 2 });
    app.consumer('strictest').on(TestPlaced, async (e) => {
      if (e.data.n < 3) throw new NonRetryableError(`refused ${e.data.n}`);
    });
    app.consumer('calm').on(TestPlaced, async () => undefined);
    await app.publishAll([0, 1, 2, 3].map((n) => ({ event: TestPlaced, data: { key: n === 1 ? 'x' : `y${n}`, n } })));
    await app.start();
    try {
      await eventually('three dead letters', async () => (await app.engine.admin.listDeadLetters({ status: 'open' })).length === 3);
      const ofX = await app.engine.admin.listDeadLetters({ subject: 'x' });
      expect(ofX.map((d) => d.subject)).toEqual(['x']);
      expect(await app.engine.admin.listDeadLetters({ subject: 'nobody' })).toEqual([]);
      const all = await app.engine.admin.listDeadLetters({});
      let counts = await app.engine.admin.openDeadLetterCounts();
      expect(counts).toEqual([{ group: 'strictest', open: 3, oldestAt: Math.min(...all.map((d) => d.createdAt)) }]);
      await app.engine.admin.discardDeadLetter(ofX[0]!.id, { by: 'test', why: 'not needed' });
      counts = await app.engine.admin.openDeadLetterCounts();
      expect(counts).toEqual([{ group: 'strictest', open: 2, oldestAt: Math.min(...all.filter((d) => d.subject !== 'x').map((d) => d.createdAt)) }]);
    } finally {
      await app.stop();
    }
  });
}
