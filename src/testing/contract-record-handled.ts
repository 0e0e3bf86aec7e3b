import { expect, it } from 'vitest';
import { LeaseLostError } from '../core/errors.js';
import type { ContractSubject } from './subject.js';

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
}
