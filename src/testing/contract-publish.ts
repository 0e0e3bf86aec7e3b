import { expect, it } from 'vitest';
import { EventValidationError } from '../core/errors.js';
import { TestPlaced, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

/** Transactional publish, validation and the envelope. */
export function publishContract<Db>(subject: ContractSubject<Db>): void {
  it('commits the app writes and its events together', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    try {
      await app.transaction(async (tx) => {
        await subject.createTable(tx.db, 'orders');
        await subject.insert(tx.db, 'orders', { id: 'o1', key: 'k1', n: 1 });
        await tx.publish(TestPlaced, { key: 'k1', n: 1 });
      });
      const rows = await app.transaction((tx) => subject.list(tx.db, 'orders'));
      expect(rows.map((r) => r.id)).toEqual(['o1']);
      expect((await app.engine.admin.heads()).reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      await app.stop();
    }
  });

  it('rolls back the app writes and its events together', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    try {
      await app.transaction(async (tx) => subject.createTable(tx.db, 'orders'));
      await expect(
        app.transaction(async (tx) => {
          await subject.insert(tx.db, 'orders', { id: 'o1', key: 'k1', n: 1 });
          await tx.publish(TestPlaced, { key: 'k1', n: 1 });
          throw new Error('payment declined');
        }),
      ).rejects.toThrow('payment declined');
      const rows = await app.transaction((tx) => subject.list(tx.db, 'orders'));
      expect(rows).toEqual([]);
      expect((await app.engine.admin.heads()).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await app.stop();
    }
  });

  it('refuses invalid data with a typed error naming the field, storing nothing', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    try {
      const err = await app.publish(TestPlaced, { key: 'k1', n: 'one' } as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EventValidationError);
      expect((err as EventValidationError).issues.map((i) => i.field)).toEqual(['n']);
      expect((err as Error).message).toMatch(/cannot publish test\.item\.placed: field n/);
      await expect(
        app.transaction(async (tx) => {
          await tx.publish(TestPlaced, { key: 'k2', n: 2 });
          await tx.publish(TestPlaced, { key: 'k2' } as never);
        }),
      ).rejects.toBeInstanceOf(EventValidationError);
      expect((await app.engine.admin.heads()).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await app.stop();
    }
  });

  it('stores a CloudEvents envelope with a per-partition sequence', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    try {
      const a = await app.publish(TestPlaced, { key: 'same', n: 1 });
      const b = await app.publish(TestPlaced, { key: 'same', n: 2 });
      const stored = await app.engine.admin.findEvent(b.id);
      expect(stored).toBeDefined();
      const env = JSON.parse(stored!.body) as Record<string, unknown>;
      expect(env).toMatchObject({ specversion: '1.0', id: b.id, source: 'test/contract', type: 'test.item.placed', subject: 'same', partitionkey: 'same', dataversion: 1, dataschema: 'urn:factline:test.item.placed:1', data: { key: 'same', n: 2 } });
      expect(Number(a.sequence) + 1).toBe(Number(b.sequence));
      expect(stored!.sequence).toBe(Number(b.sequence));
    } finally {
      await app.stop();
    }
  });

  it('group-commits concurrent single publishes without losing any', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    try {
      const published = await Promise.all(Array.from({ length: 500 }, (_, i) => app.publish(TestPlaced, { key: `k${i % 7}`, n: i })));
      expect(new Set(published.map((e) => e.id)).size).toBe(500);
      await eventually('all stored', async () => (await app.engine.admin.heads()).reduce((x, y) => x + y, 0) === 500);
    } finally {
      await app.stop();
    }
  });
}
