import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger, TestPlaced } from '../../src/testing/index.js';
import { identity, leasedEngine, placed, tempFile } from './engine-fixture.js';

const ref = (id: string) => ({ source: 'test/engine', id });

function inboxRows(file: string): { grp: string; id: string }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('select grp, id from factline_inbox order by id').all() as { grp: string; id: string }[];
  } finally {
    db.close();
  }
}

describe('inbox claims of the SQLite engine', () => {
  it('handles one copy of an event whose (source, id) appears twice in one consumer batch', async () => {
    const file = tempFile('twice.db');
    const app = createFactline({ engine: sqliteEngine({ file }), source: 'test/engine', partitions: 2, logger: memoryLogger() });
    const calls: string[] = [];
    app.consumer('billing', { pollMs: 10 }).on(TestPlaced, (e) => void calls.push(e.id));
    let other = '';
    await app.transaction(async (tx) => {
      await tx.publish(TestPlaced, { key: 'a', n: 1 }, { id: 'same' });
      await tx.publish(TestPlaced, { key: 'a', n: 1 }, { id: 'same' });
      other = (await tx.publish(TestPlaced, { key: 'a', n: 2 })).id;
    });
    await app.start();
    try {
      await eventually('the group reaches the head', async () => {
        const status = await app.engine.admin.status();
        return status.length === 2 && status.every((s) => s.position === s.head);
      });
      expect(calls).toEqual(['same', other]);
    } finally {
      await app.stop();
    }
    expect(inboxRows(file).map((r) => r.id).sort()).toEqual([other, 'same'].sort());
  });

  it('claims the first copy of an identity that appears twice in one seen() call, and reports it seen to a later call', async () => {
    const { engine, lease } = await leasedEngine();
    try {
      await engine.consume(lease, async (tx) => {
        const first = await tx.seen([ref('a'), ref('a'), ref('b')]);
        expect([...first]).toEqual([]);
        // Asked entry by entry: the first copy of a is claimed (handle it), the second is seen.
        expect([ref('a'), ref('a'), ref('b')].map((e) => first.has(identity(e)))).toEqual([false, true, false]);
        const again = await tx.seen([ref('a'), ref('c')]);
        expect([...again]).toEqual([identity(ref('a'))]);
        await tx.commit({ handled: [ref('a'), ref('b'), ref('c')] });
      });
      await engine.consume(lease, async (tx) => {
        const later = await tx.seen([ref('a'), ref('a'), ref('b'), ref('d')]);
        expect([...later].sort()).toEqual([identity(ref('a')), identity(ref('b'))].sort());
        expect([ref('a'), ref('a'), ref('d')].map((e) => later.has(identity(e)))).toEqual([true, true, false]);
        await tx.commit({ handled: [] });
      });
    } finally {
      await engine.close();
    }
  });

  it('drops the claims of a seen() call that are not listed as handled, and all claims on rollback', async () => {
    const { engine, lease, file } = await leasedEngine();
    try {
      await engine.consume(lease, async (tx) => {
        await tx.seen([ref('kept'), ref('dropped')]);
        await tx.commit({ handled: [ref('kept')] });
      });
      await engine.consume(lease, async (tx) => {
        await tx.seen([ref('rolled-back')]);
        throw new Error('handler failed');
      }).catch(() => undefined);
      expect(inboxRows(file)).toEqual([{ grp: 'g', id: 'kept' }]);
    } finally {
      await engine.close();
    }
  });

  it('answers handled() from committed inbox rows only, per group', async () => {
    const { engine, lease } = await leasedEngine();
    try {
      await engine.consume(lease, async (tx) => {
        await tx.seen([ref('a'), ref('b')]);
        // Not committed yet: the reader does not see this transaction's claims.
        expect([...(await engine.handled('g', [ref('a')]))]).toEqual([]);
        await tx.commit({ handled: [ref('a'), ref('b')] });
      });
      expect([...(await engine.handled('g', [ref('a'), ref('b'), ref('c')]))].sort()).toEqual([identity(ref('a')), identity(ref('b'))].sort());
      expect([...(await engine.handled('other-group', [ref('a')]))]).toEqual([]);
      expect([...(await engine.handled('g', [{ source: 'elsewhere', id: 'a' }]))]).toEqual([]);
      expect((await engine.handled('g', [])).size).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('stores the appended events of a consume transaction with its claims', async () => {
    const { engine, lease } = await leasedEngine();
    try {
      await engine.consume(lease, async (tx) => {
        await tx.append([placed(1)]);
        await tx.commit({ position: 0 });
      });
      expect((await engine.read(0, 0, 10)).length).toBe(1);
    } finally {
      await engine.close();
    }
  });
});
