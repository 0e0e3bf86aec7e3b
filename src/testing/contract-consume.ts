import { expect, it } from 'vitest';
import type { Envelope } from '../core/envelope.js';
import { partitionOf } from '../core/partition.js';
import { TestIgnored, TestPlaced, TestShipped, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

/** Two keys that map to the same partition of `partitions`. */
function keysInOnePartition(partitions: number): [string, string] {
  const first = 'key-0';
  for (let i = 1; ; i++) {
    if (partitionOf(`key-${i}`, partitions) === partitionOf(first, partitions)) return [first, `key-${i}`];
  }
}

/** Fan-out, ordering, parallelism, idempotency and positions. */
export function consumeContract<Db>(subject: ContractSubject<Db>): void {
  it('delivers every event to every group that handles its type, and moves past other types', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    const seen: Record<string, string[]> = { billing: [], email: [] };
    app.consumer('billing').on(TestPlaced, (e) => void seen.billing!.push(e.id));
    app.consumer('email').on(TestPlaced, (e) => void seen.email!.push(e.id));
    await app.start();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        ids.push((await app.publish(TestPlaced, { key: `k${i % 9}`, n: i })).id);
        await app.publish(TestIgnored, { key: `k${i % 9}` });
      }
      await eventually('both groups got all', () => seen.billing!.length === 60 && seen.email!.length === 60);
      expect(new Set(seen.billing).size).toBe(60);
      expect([...seen.email!].sort()).toEqual([...ids].sort());
      await eventually('positions reach the heads', async () => {
        const heads = await app.engine.admin.heads();
        const status = await app.engine.admin.status();
        return status.length === 8 && status.every((s) => s.position === heads[s.partition]);
      });
    } finally {
      await app.stop();
    }
  });

  it('handles the events of one key in log order across event types', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    const got = new Map<string, number[]>();
    const record = async (e: Envelope<{ key: string; n: number }>) => {
      await new Promise((r) => setTimeout(r, Math.random() * 2));
      const list = got.get(e.data.key) ?? [];
      list.push(e.data.n);
      got.set(e.data.key, list);
    };
    app.consumer('ordered', { concurrency: 8 }).on(TestPlaced, record).on(TestShipped, record);
    await app.start();
    try {
      const n = 200;
      await Promise.all(
        Array.from({ length: 10 }, async (_, k) => {
          for (let i = 0; i < n / 10; i++) await app.publish(i % 2 ? TestShipped : TestPlaced, { key: `key${k}`, n: i });
        }),
      );
      await eventually('all handled', () => [...got.values()].reduce((a, l) => a + l.length, 0) === n);
      for (const list of got.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    } finally {
      await app.stop();
    }
  });

  it('runs different keys of one partition concurrently', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    const [slow, fast] = keysInOnePartition(4);
    let fastHandled!: () => void;
    const fastDone = new Promise<void>((r) => (fastHandled = r));
    const order: string[] = [];
    app.consumer('parallel', { concurrency: 4 }).on(TestPlaced, async (e) => {
      if (e.data.key === slow) await fastDone; // only finishes once the other key got through
      else fastHandled();
      order.push(e.data.key);
    });
    await app.publishAll([
      { event: TestPlaced, data: { key: slow, n: 1 } },
      { event: TestPlaced, data: { key: fast, n: 1 } },
    ]);
    await app.start();
    try {
      await eventually('both handled', () => order.length === 2);
      expect(order).toEqual([fast, slow]);
    } finally {
      await app.stop();
    }
  });

  it('applies a re-published event (same source and id) once', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    app.consumer('ledger').on(TestPlaced, async (e, ctx) => {
      await subject.createTable(ctx.db, 'ledger');
      await subject.insert(ctx.db, 'ledger', { id: e.id, key: e.data.key, n: e.data.n });
    });
    await app.start();
    try {
      await app.publish(TestPlaced, { key: 'k', n: 1 }, { id: 'fixed-id-1' });
      await app.publish(TestPlaced, { key: 'k', n: 1 }, { id: 'fixed-id-1' });
      await app.publish(TestPlaced, { key: 'k', n: 2 }, { id: 'fixed-id-2' });
      await eventually('position at head', async () => (await app.engine.admin.status()).every((s) => s.position === s.head));
      const rows = await app.transaction((tx) => subject.list(tx.db, 'ledger'));
      expect(rows.map((r) => r.id)).toEqual(['fixed-id-1', 'fixed-id-2']);
    } finally {
      await app.stop();
    }
  });

  it('sets correlation and causation on events published while handling', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    const shipped: Envelope[] = [];
    app.consumer('shipping').on(TestPlaced, async (e, ctx) => {
      await ctx.publish(TestShipped, { key: e.data.key, n: e.data.n });
    });
    app.consumer('audit').on(TestShipped, (e) => void shipped.push(e));
    await app.start();
    try {
      const placed = await app.publish(TestPlaced, { key: 'k', n: 1 }, { correlationId: 'flow-1' });
      await eventually('shipped handled', () => shipped.length === 1);
      expect(shipped[0]).toMatchObject({ correlationid: 'flow-1', causationid: placed.id });
      expect(shipped[0]!.traceparent?.split('-')[1]).toBe(placed.traceparent?.split('-')[1]);
    } finally {
      await app.stop();
    }
  });

  it('restarts from the stored position without handling anything twice', async () => {
    const open = await subject.freshStore();
    const handled: number[] = [];
    const first = testApp(open());
    first.consumer('counter').on(TestPlaced, (e) => void handled.push(e.data.n));
    await first.start();
    for (let i = 0; i < 30; i++) await first.publish(TestPlaced, { key: `k${i % 5}`, n: i });
    await eventually('first run handled 30', () => handled.length === 30);
    await first.stop();

    const publisher = testApp(open());
    for (let i = 30; i < 50; i++) await publisher.publish(TestPlaced, { key: `k${i % 5}`, n: i });
    await publisher.stop();

    const second = testApp(open());
    second.consumer('counter').on(TestPlaced, (e) => void handled.push(e.data.n));
    const lateSeen: number[] = [];
    second.consumer('late', { startFrom: 'now' }).on(TestPlaced, (e) => void lateSeen.push(e.data.n));
    await second.start();
    try {
      await eventually('second run handled the rest', () => handled.length === 50);
      expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await second.publish(TestPlaced, { key: 'k0', n: 99 });
      await eventually('late group sees only new events', () => lateSeen.length === 1);
      expect(lateSeen).toEqual([99]);
    } finally {
      await second.stop();
    }
  });
}
