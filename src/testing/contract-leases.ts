import { expect, it } from 'vitest';
import { TestPlaced, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

/** Partition leases: sharing, failover, graceful hand-over. */
export function leaseContract<Db>(subject: ContractSubject<Db>): void {
  it('takes over the partitions of a member that stopped heartbeating, after the lease time', async () => {
    const open = await subject.freshStore();
    const ghost = open();
    await ghost.open({ partitions: 4 });
    const ghostShare = await ghost.heartbeat('workers', 'ghost-member', 600);
    expect(ghostShare.owned).toHaveLength(4);

    const app = testApp(open());
    const handled = new Set<number>();
    app.consumer('workers', { leaseTtlMs: 600, heartbeatMs: 100 }).on(TestPlaced, (e) => void handled.add(e.data.n));
    await app.publishAll(Array.from({ length: 40 }, (_, i) => ({ event: TestPlaced, data: { key: `k${i}`, n: i } })));
    await app.start();
    try {
      await eventually('the live member owns every partition', () => app.assignments().workers?.length === 4);
      await eventually('every event handled', () => handled.size === 40);
    } finally {
      await app.stop();
      await ghost.close();
    }
  });

  it('shares partitions with a member that joins and takes them back when it stops', async () => {
    const open = await subject.freshStore();
    const counts = new Map<string, number>();
    const handler = (e: { id: string }) => void counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    const a = testApp(open());
    const b = testApp(open());
    a.consumer('pool', { leaseTtlMs: 5000, heartbeatMs: 100 }).on(TestPlaced, handler);
    b.consumer('pool', { leaseTtlMs: 5000, heartbeatMs: 100 }).on(TestPlaced, handler);
    await a.start();
    try {
      await eventually('a owns all', () => a.assignments().pool?.length === 4);
      await b.start();
      await eventually('they split the partitions', () => a.assignments().pool?.length === 2 && b.assignments().pool?.length === 2);
      for (let i = 0; i < 100; i++) await a.publish(TestPlaced, { key: `k${i}`, n: i });
      await b.stop();
      // b released its leases on stop: a takes them at its next heartbeat, long before they would expire.
      await eventually('a owns all again', () => a.assignments().pool?.length === 4, 2500);
      for (let i = 100; i < 150; i++) await a.publish(TestPlaced, { key: `k${i}`, n: i });
      await eventually('every event handled', () => counts.size === 150);
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
}
