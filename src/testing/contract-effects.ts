import { expect, it } from 'vitest';
import { TestPlaced, TestShipped, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

const fast = { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 };

/** Effect handlers: outside work with no transaction open, results committed afterwards. */
export function effectContract<Db>(subject: ContractSubject<Db>): void {
  it('runs an effect handler with no transaction open: a publish made while it waits completes', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    let published = false;
    app.consumer('mailer').effect(TestPlaced, async (e) => {
      // If the runtime held a transaction (SQLite: the file's write lock) this publish would wait for the handler: a deadlock.
      await app.publish(TestShipped, { key: e.data.key, n: e.data.n });
      published = true;
    });
    await app.publish(TestPlaced, { key: 'k', n: 1 });
    await app.start();
    try {
      await eventually('the publish inside the effect resolved', () => published, 10_000);
    } finally {
      await app.stop();
    }
  });

  it('repeats only the failed event: its siblings in the batch are called once', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const calls = new Map<string, number>();
    let failed = false;
    app.consumer('flaky', { retry: fast }).effect(TestPlaced, async (e) => {
      const id = `${e.data.key}:${e.data.n}`;
      calls.set(id, (calls.get(id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
      if (id === 'k3:1' && !failed) {
        failed = true;
        throw new Error('provider said 503');
      }
    });
    await app.publishAll(Array.from({ length: 20 }, (_, i) => ({ event: TestPlaced, data: { key: `k${i % 7}`, n: Math.floor(i / 7) + 1 } })));
    await app.start();
    try {
      await eventually('every event called', () => calls.size === 20 && calls.get('k3:1') === 2);
      await new Promise((r) => setTimeout(r, 200));
      for (const [id, n] of calls) expect([id, n]).toEqual([id, id === 'k3:1' ? 2 : 1]);
    } finally {
      await app.stop();
    }
  });

  it('commits an effect handler\'s commit step once, with its inbox row; its publishes carry causation', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 2 });
    const table = 'effect_rows';
    await app.start();
    await app.transaction((tx) => subject.createTable(tx.db, table));
    await app.stop();
    const again = testApp(open(), { partitions: 2 });
    const shipped: { causation?: string; of: string }[] = [];
    again.consumer('receipts').effect(TestPlaced, async (e) => {
      await new Promise((r) => setTimeout(r, 1));
      return async (ctx) => {
        await subject.insert(ctx.db, table, { id: e.id, key: e.data.key, n: e.data.n });
        await ctx.publish(TestShipped, { key: e.data.key, n: e.data.n });
      };
    });
    again.consumer('audit').on(TestShipped, (e) => void shipped.push({ causation: e.causationid, of: e.data.key }));
    const first = await again.publish(TestPlaced, { key: 'a', n: 1 });
    await again.publish(TestPlaced, { key: 'a', n: 1 }, { id: first.id });
    await again.publish(TestPlaced, { key: 'b', n: 1 });
    await again.start();
    try {
      await eventually('both shipped', () => shipped.length === 2);
      await new Promise((r) => setTimeout(r, 200));
      const rows = await again.transaction((tx) => subject.list(tx.db, table));
      expect(rows.map((r) => r.key).sort()).toEqual(['a', 'b']);
      expect(shipped.find((s) => s.of === 'a')!.causation).toBe(first.id);
    } finally {
      await again.stop();
    }
  });

  it('tells an effect handler that touches ctx.db to return a commit step instead', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    app.consumer('wrong', { retry: { attempts: 1 } }).effect(TestPlaced, (_e, ctx) => {
      void (ctx as unknown as { db: unknown }).db;
    });
    await app.publish(TestPlaced, { key: 'k', n: 1 });
    await app.start();
    try {
      const [dl] = await eventually('a dead letter', async () => {
        const l = await app.engine.admin.listDeadLetters({ group: 'wrong' });
        return l.length ? l : undefined;
      });
      expect(dl!.reason).toMatch(/no transaction open: return a commit step/);
    } finally {
      await app.stop();
    }
  });

  it('lets the other keys of a partition go on while one key\'s effect is slow or waits for its retry', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const done: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    let failures = 0;
    app.consumer('lanes', { retry: { ...fast, initialDelayMs: 300 } }).effect(TestPlaced, async (e) => {
      if (e.data.key === 'slow') await slow;
      if (e.data.key === 'retried' && failures++ === 0) throw new Error('try later');
      done.push(e.data.key);
    });
    await app.publishAll(['slow', 'retried', 'a', 'b', 'c'].map((key) => ({ event: TestPlaced, data: { key, n: 1 } })));
    await app.start();
    try {
      await eventually('the fast keys done while slow waits', () => ['a', 'b', 'c'].every((k) => done.includes(k)));
      expect(done).not.toContain('slow');
      release();
      await eventually('all done', () => done.length === 5);
      expect(done.indexOf('retried')).toBeGreaterThan(done.indexOf('c'));
    } finally {
      release();
      await app.stop();
    }
  });

  it('runs up to `concurrency` effect handlers at once in one partition', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    let running = 0;
    let most = 0;
    let finished = 0;
    app.consumer('wide', { concurrency: 6 }).effect(TestPlaced, async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      finished++;
    });
    await app.publishAll(Array.from({ length: 30 }, (_, i) => ({ event: TestPlaced, data: { key: `k${i}`, n: 1 } })));
    await app.start();
    try {
      await eventually('all finished', () => finished === 30);
      expect(most).toBe(6);
    } finally {
      await app.stop();
    }
  });
}
