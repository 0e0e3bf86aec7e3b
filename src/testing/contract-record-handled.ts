import { expect, it } from 'vitest';
import { LeaseLostError } from '../core/errors.js';
import type { NewEvent } from '../core/envelope.js';
import type { ContractSubject } from './subject.js';

/** An event of partition 0 with the given id, appended as given. */
function raw(id: string): NewEvent {
  return {
    partition: 0,
    envelope: {
      specversion: '1.0', id, source: 'test/record', type: 'test.record', time: new Date().toISOString(), subject: 'k',
      datacontenttype: 'application/json', dataschema: 'urn:factline:test.record:1', data: {}, partitionkey: 'k', dataversion: 1, correlationid: id,
    } as never,
  };
}

const ids = (...names: string[]) => names.map((id) => ({ source: 'test/record', id }));
const keys = (...names: string[]) => new Set(names.map((id) => `test/record\u0000${id}`));

/** `Engine.recordHandled`, for engines that have it (optional: the runtime uses `consume` without it). */
export function recordHandledContract<Db>(subject: ContractSubject<Db>): void {
  it('records inbox rows and raises the position once per identity, fenced by the lease', async (ctx) => {
    const open = await subject.freshStore();
    const engine = open();
    await engine.open({ partitions: 4 });
    try {
      if (!engine.recordHandled) return ctx.skip();
      const share = await engine.heartbeat('rec', 'm1', 60_000);
      expect(share.owned).toEqual([0, 1, 2, 3]);
      const lease = (partition: number, member = 'm1') => ({ group: 'rec', partition, member });
      const position = async (partition: number) => (await engine.admin.status()).find((s) => s.group === 'rec' && s.partition === partition)?.position;

      expect(await engine.recordHandled(lease(0), 5, ids('a', 'b'))).toEqual(keys('a', 'b'));
      expect(await position(0)).toBe(5);
      // A repeated identity is reported as recorded before; the position never goes back.
      expect(await engine.recordHandled(lease(0), 3, ids('b', 'c'))).toEqual(keys('c'));
      expect(await position(0)).toBe(5);

      // Calls of several partitions at once, one of them by a member that holds no lease.
      const [p1, p2, lost] = await Promise.allSettled([
        engine.recordHandled(lease(1), 2, ids('d')),
        engine.recordHandled(lease(2), 7, ids('e', 'a')),
        engine.recordHandled(lease(3, 'ghost'), 9, ids('f')),
      ]);
      expect(p1).toEqual({ status: 'fulfilled', value: keys('d') });
      expect(p2).toEqual({ status: 'fulfilled', value: keys('e') });
      expect(lost.status).toBe('rejected');
      expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
      expect([await position(1), await position(2), await position(3)]).toEqual([2, 7, 0]);
      expect(await engine.handled('rec', ids('a', 'b', 'c', 'd', 'e', 'f'))).toEqual(keys('a', 'b', 'c', 'd', 'e'));
      // Another group's inbox is its own.
      expect(await engine.handled('other', ids('a'))).toEqual(new Set());
    } finally {
      await engine.close();
    }
  });

  it('reads with the inbox rows of the asking group, as read and handled answer them', async (ctx) => {
    const open = await subject.freshStore();
    const engine = open();
    await engine.open({ partitions: 1 });
    try {
      if (!engine.readHandled) return ctx.skip();
      await engine.append(['r1', 'r2', 'r3'].map(raw));
      await engine.heartbeat('reader', 'm1', 60_000);
      const lease = { group: 'reader', partition: 0, member: 'm1' };
      if (engine.recordHandled) await engine.recordHandled(lease, 0, ids('r2'));
      else {
        await engine.consume(lease, async (tx) => {
          await tx.seen(ids('r2'));
          await tx.commit({ handled: ids('r2') });
        });
      }
      // Reads asked for together (they may share one query) answer each its own group and limit.
      const [mine, other, first] = await Promise.all([
        engine.readHandled('reader', 0, 0, 10),
        engine.readHandled('other', 0, 0, 10),
        engine.readHandled('reader', 0, 0, 1),
      ]);
      expect(mine.records).toEqual(await engine.read(0, 0, 10));
      expect(mine.records.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
      expect(mine.handled).toEqual(keys('r2'));
      expect(other.handled).toEqual(new Set());
      expect(first.records.map((r) => r.id)).toEqual(['r1']);
      expect(first.handled).toEqual(new Set());
      const after = await engine.readHandled('reader', 0, 1, 10);
      expect(after.records.map((r) => r.id)).toEqual(['r2', 'r3']);
      expect(after.handled).toEqual(keys('r2'));
    } finally {
      await engine.close();
    }
  });
}
