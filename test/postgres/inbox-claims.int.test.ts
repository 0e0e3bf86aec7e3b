import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ConsumeTx, Lease } from '../../src/index.js';
import { postgresEngine, type PgTx, type PostgresEngine } from '../../src/engines/postgres/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

const id = (n: string) => ({ source: 'test/claims', id: n });
const key = (n: string) => `test/claims\u0000${n}`;
const settled = <T>(p: Promise<T>) => Promise.race([p.then(() => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 300))]);

/** A gate the test opens by hand. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open: () => open() };
}

describePg('inbox claims, handled() and markStart()', () => {
  let engine: PostgresEngine;
  const gates: (() => void)[] = [];
  afterEach(() => {
    for (const open of gates.splice(0)) open();
  });
  const lease = (group: string, partition: number): Lease => ({ group, partition, member: 'm' });

  beforeAll(async () => {
    engine = postgresEngine({ connectionString: PG_URL, schema: freshSchema('claims'), poolSize: 8 });
    await engine.open({ partitions: 4 });
    for (const g of ['g', 'h']) await engine.heartbeat(g, 'm', 60_000);
  });
  afterAll(async () => {
    await engine?.close();
  });

  /** Claims `ids` on partition 0 and holds the transaction open until `end` resolves. */
  function holdClaim(ids: string[], end: Promise<'commit' | 'rollback'>) {
    const claimed = gate();
    const done = engine.consume(lease('g', 0), async (tx: ConsumeTx<PgTx>) => {
      expect([...(await tx.seen(ids.map(id)))]).toEqual([]);
      claimed.open();
      if ((await end) === 'rollback') throw new Error('rolled back on purpose');
      await tx.commit({ handled: ids.map(id) });
    }).catch((err: Error) => {
      claimed.open();
      return err.message;
    });
    return { claimed: claimed.wait, done };
  }

  it('waits for a claimer on another partition, then reports its committed identities as seen', async () => {
    const end = gate();
    gates.push(end.open);
    const first = holdClaim(['w1'], end.wait.then(() => 'commit'));
    await first.claimed;
    const second = engine.consume(lease('g', 1), async (tx) => {
      const seen = await tx.seen([id('w2'), id('w1')]);
      await tx.commit({ handled: [id('w2')] });
      return seen;
    });
    expect(await settled(second)).toBe('pending');
    end.open();
    await first.done;
    expect([...(await second)]).toEqual([key('w1')]);
    expect(await engine.handled('g', [id('w1'), id('w2')])).toEqual(new Set([key('w1'), key('w2')]));
  });

  it('lets the waiting transaction claim when the claimer rolls back', async () => {
    const end = gate();
    gates.push(end.open);
    const first = holdClaim(['r1'], end.wait.then(() => 'rollback'));
    await first.claimed;
    const second = engine.consume(lease('g', 1), async (tx) => {
      const seen = await tx.seen([id('r1')]);
      await tx.commit({ handled: [id('r1')] });
      return seen;
    });
    expect(await settled(second)).toBe('pending');
    end.open();
    expect(await first.done).toBe('rolled back on purpose');
    expect([...(await second)]).toEqual([]);
    expect(await engine.handled('g', [id('r1')])).toEqual(new Set([key('r1')]));
  });

  it('claims the first copy of an identity that appears twice in one call and reports the later copies seen', async () => {
    const answers = await engine.consume(lease('g', 2), async (tx) => {
      const batch = [id('d1'), id('d2'), id('d1'), id('d1')];
      const seen = await tx.seen(batch);
      // Asked entry by entry, as a consumer does: handle the first copy, skip the others.
      const out = batch.map((e) => seen.has(key(e.id)));
      await tx.commit({ handled: [id('d1'), id('d2')] });
      return out;
    });
    expect(answers).toEqual([false, false, true, true]);
    expect(await engine.handled('g', [id('d1'), id('d2')])).toEqual(new Set([key('d1'), key('d2')]));
  });

  it('drops the claims not handled at commit, and stores handled rows that were not claimed', async () => {
    await engine.consume(lease('g', 2), async (tx) => {
      expect([...(await tx.seen([id('c1'), id('c2')]))]).toEqual([]);
      await tx.commit({ handled: [id('c1'), id('c3')] });
    });
    expect(await engine.handled('g', [id('c1'), id('c2'), id('c3')])).toEqual(new Set([key('c1'), key('c3')]));
    // Committing a handled row again changes nothing.
    await engine.consume(lease('g', 2), (tx) => tx.commit({ handled: [id('c3')] }));
    const again = await engine.consume(lease('g', 2), async (tx) => {
      const out = await tx.seen([id('c2'), id('c3')]);
      await tx.commit({});
      return out;
    });
    expect([...again]).toEqual([key('c3')]);
    expect(await engine.handled('g', [id('c2')])).toEqual(new Set());
  });

  it('drops the claims of a transaction that commits without tx.commit', async () => {
    await engine.consume(lease('g', 3), async (tx) => {
      expect([...(await tx.seen([id('n1')]))]).toEqual([]);
    });
    expect(await engine.handled('g', [id('n1')])).toEqual(new Set());
  });

  it('handled() reads committed rows without waiting for a claimer; other groups claim on their own', async () => {
    const end = gate();
    gates.push(end.open);
    const first = holdClaim(['h1'], end.wait.then(() => 'commit'));
    await first.claimed;
    expect(await engine.handled('g', [id('h1')])).toEqual(new Set());
    const other = await engine.consume(lease('h', 0), async (tx) => {
      const out = await tx.seen([id('h1')]);
      await tx.commit({ handled: [id('h1')] });
      return out;
    });
    expect([...other]).toEqual([]);
    end.open();
    await first.done;
    expect(await engine.handled('g', [id('h1')])).toEqual(new Set([key('h1')]));
    expect(await engine.handled('g', [])).toEqual(new Set());
  });

  it('markStart counts the starts in a row at one position, per group and partition', async () => {
    expect(await engine.markStart(lease('g', 0), 5)).toBe(1);
    expect(await engine.markStart(lease('g', 0), 5)).toBe(2);
    expect(await engine.markStart(lease('g', 0), 5)).toBe(3);
    expect(await engine.markStart(lease('g', 1), 5)).toBe(1);
    expect(await engine.markStart(lease('h', 0), 5)).toBe(1);
    expect(await engine.markStart(lease('g', 0), 7)).toBe(1);
    expect(await engine.markStart(lease('g', 0), 7)).toBe(2);
    // A member that stops without dying records -1: the next start at the same position counts 1.
    await engine.markStart(lease('g', 0), -1);
    expect(await engine.markStart(lease('g', 0), 7)).toBe(1);
  });
});
