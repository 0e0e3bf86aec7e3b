import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFactline, NotRunningError, TransactionEndedError, type HandlerContext, type Transaction } from '../../src/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger, testApp, TestPlaced, TestShipped } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'factline-usage-'));
let n = 0;
const freshFile = () => join(dir, `u-${++n}.db`);

/** The error `fn` throws or rejects with. */
async function caught(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('handles used after their transaction, while the app runs', () => {
  it('names the handler, says the attempt ended, and gives code TRANSACTION_ENDED (not "not started")', async () => {
    const app = testApp(sqliteEngine({ file: freshFile() }), { partitions: 1 });
    let kept: HandlerContext<SqliteDb> | undefined;
    let keptDb: SqliteDb | undefined;
    app.consumer('billing').on(TestPlaced, (_e, ctx) => {
      kept = ctx;
      keptDb = ctx.db;
    });
    await app.start();
    try {
      await app.publish(TestPlaced, { key: 'k', n: 1 });
      await eventually('the handler ran', () => kept);
      const db = await caught(() => kept!.db);
      expect(db).toBeInstanceOf(TransactionEndedError);
      expect(db).toMatchObject({ code: 'TRANSACTION_ENDED' });
      expect(db.message).toMatch(/^ctx\.db of the handler of test\.item\.placed in group billing was used after its attempt ended \(the handler had returned, thrown or timed out\)/);
      expect(db.message).not.toMatch(/not started|app\.start/);

      const publish = await caught(() => kept!.publish(TestShipped, { key: 'k', n: 2 }));
      expect(publish).toBeInstanceOf(TransactionEndedError);
      expect(publish.message).toMatch(/^ctx\.publish\(test\.item\.shipped\) of the handler of test\.item\.placed in group billing was used after its attempt ended/);

      const statement = await caught(() => keptDb!.prepare('select 1'));
      expect(statement).toBeInstanceOf(TransactionEndedError);
      expect(statement.message).toMatch(/^db\.prepare\(\) was called on the db of a consumer group's transaction: a handler kept ctx\.db after its attempt ended/);
    } finally {
      await app.stop();
    }
  });

  it('says so for tx and tx.db kept past app.transaction()', async () => {
    const app = testApp(sqliteEngine({ file: freshFile() }));
    try {
      let kept: Transaction<SqliteDb> | undefined;
      let keptDb: SqliteDb | undefined;
      await app.transaction(async (tx) => {
        kept = tx;
        keptDb = tx.db;
      });
      const db = await caught(() => kept!.db);
      expect(db).toBeInstanceOf(TransactionEndedError);
      expect(db.message).toMatch(/^tx\.db was used after its app\.transaction\(\) callback had settled/);
      const publish = await caught(() => kept!.publish(TestPlaced, { key: 'k', n: 1 }));
      expect(publish.message).toMatch(/^tx\.publish\(test\.item\.placed\) was used after its app\.transaction\(\) callback had settled/);
      const statement = await caught(() => keptDb!.exec('create table t (x)'));
      expect(statement.message).toMatch(/^db\.exec\(\) was called on the db of an app\.transaction\(\): its callback kept tx\.db after it settled/);
    } finally {
      await app.stop();
    }
  });

  it('names the commit step of an effect handler', async () => {
    const app = testApp(sqliteEngine({ file: freshFile() }), { partitions: 1 });
    let kept: HandlerContext<SqliteDb> | undefined;
    app.consumer('email').effect(TestPlaced, () => (ctx) => void (kept = ctx));
    await app.start();
    try {
      await app.publish(TestPlaced, { key: 'k', n: 1 });
      await eventually('the commit step ran', () => kept);
      expect((await caught(() => kept!.db)).message).toMatch(/^ctx\.db of the commit step of the effect handler of test\.item\.placed in group email was used after its attempt ended/);
    } finally {
      await app.stop();
    }
  });
});

describe('calls on a stopped app', () => {
  it('name the call and say the app was stopped, without internal words', async () => {
    const app = testApp(sqliteEngine({ file: freshFile() }));
    await app.start();
    await app.publish(TestPlaced, { key: 'k', n: 1 });
    await app.stop();
    const cases: [string, () => Promise<unknown>][] = [
      ['app.publish(test.item.placed)', () => app.publish(TestPlaced, { key: 'k', n: 2 })],
      ['app.publishAll()', () => app.publishAll([{ event: TestPlaced, data: { key: 'k', n: 3 } }])],
      ['app.transaction()', () => app.transaction(async () => undefined)],
      ['app.start()', () => app.start()],
    ];
    for (const [call, fn] of cases) {
      const err = await caught(fn);
      expect(err, call).toBeInstanceOf(NotRunningError);
      expect(err.message, call).toBe(`${call}: the app was stopped (app.stop()); nothing of this call ran. An app runs once: publish before stopping it, or create a new one with createFactline()`);
    }
  });

  it('gives the same error to publishes and transactions that race stop()', async () => {
    const app = testApp(sqliteEngine({ file: freshFile() }));
    await app.start();
    const settle = (p: Promise<unknown>) => p.then(() => undefined, (err: Error) => err);
    const racing = Array.from({ length: 50 }, (_, i) => settle(app.publish(TestPlaced, { key: `k${i}`, n: i })));
    const transactions = Array.from({ length: 20 }, () => settle(app.transaction(async (tx) => void tx.db.prepare('select 1').get())));
    await app.stop();
    for (const r of await Promise.all(racing)) {
      if (r !== undefined) expect(r.message).toMatch(/^app\.publish\(test\.item\.placed\): the app was stopped/);
    }
    for (const r of await Promise.all(transactions)) {
      if (r !== undefined) expect(r.message).toMatch(/^app\.transaction\(\): the app was stopped/);
    }
  });

  it('lets every stop() call resolve once the first has finished', async () => {
    const app = testApp(sqliteEngine({ file: freshFile() }));
    await app.start();
    let done = 0;
    const stops = [app.stop().then(() => done++), app.stop().then(() => done++)];
    await Promise.all(stops);
    expect(done).toBe(2);
    await app.stop();
  });
});

describe("sqliteEngine({ file: ':memory:' })", () => {
  it('runs a private log for tests: publish, consume with ctx.db, and nothing left after close', async () => {
    const before = new Set(readdirSync('/dev/shm').concat(readdirSync(tmpdir())));
    const app = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'test/memory', partitions: 2, logger: memoryLogger() });
    const other = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'test/memory', partitions: 2, logger: memoryLogger() });
    await app.transaction(async (tx) => void tx.db.exec('create table seen (n integer)'));
    app.consumer('billing').on(TestPlaced, (e, ctx) => void ctx.db.prepare('insert into seen (n) values (?)').run(e.data.n));
    await app.start();
    await other.start();
    try {
      for (let i = 1; i <= 5; i++) await app.publish(TestPlaced, { key: `k${i}`, n: i });
      await eventually('five handled', () => app.transaction(async (tx) => (tx.db.prepare('select count(*) as c from seen').get() as { c: number }).c === 5));
      // Two ':memory:' logs are two logs.
      expect(await other.engine.admin.heads()).toEqual([0, 0]);
    } finally {
      await app.stop();
      await other.stop();
    }
    const after = readdirSync('/dev/shm').concat(readdirSync(tmpdir())).filter((f) => f.startsWith('factline-memory-') && !before.has(f));
    expect(after).toEqual([]);
  });

  it('refuses an empty file name and names the missing directory of a file', async () => {
    expect(() => sqliteEngine({ file: '' })).toThrow(/sqliteEngine needs a file: the path of the log .* or ':memory:'/);
    const missing = join(dir, 'no-such-dir', 'shop.db');
    const app = testApp(sqliteEngine({ file: missing }));
    const err = await caught(() => app.start());
    expect(err.message).toBe(`cannot open the SQLite log ${missing}: its directory ${join(dir, 'no-such-dir')} does not exist; create the directory first (Factline creates the file, not its directory)`);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    await app.stop();
  });
});

describe('app.consumer(name, options) called again', () => {
  const hook = () => undefined;

  it('returns the same group without options, or with the same options once defaults are applied', () => {
    const app = testApp(sqliteEngine({ file: freshFile() }));
    const group = app.consumer('billing', { retry: { attempts: 3 }, onDeadLetter: hook });
    expect(app.consumer('billing')).toBe(group);
    expect(app.consumer('billing', { retry: { attempts: 3, initialDelayMs: 200 }, onDeadLetter: hook, concurrency: 16 })).toBe(group);
    expect(app.consumer('email')).toBe(app.consumer('email', {}));
  });

  it('refuses other options, naming each difference, instead of ignoring them', () => {
    const app = testApp(sqliteEngine({ file: freshFile() }));
    app.consumer('billing', { retry: { attempts: 3 }, onDeadLetter: hook });
    const err = (() => {
      try {
        app.consumer('billing', { retry: { attempts: 10 }, timeoutMs: 5000, onDeadLetter: () => undefined });
      } catch (e) {
        return e as Error & { code: string };
      }
      throw new Error('expected an error');
    })();
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe(
      'consumer group billing is already declared with other options (retry.attempts: 3 before, 10 now; timeoutMs: 30000 before, 5000 now; onDeadLetter: another function now); '
      + "give a group's options once, in its first app.consumer('billing', options), and call app.consumer('billing') without options elsewhere",
    );
    app.consumer('email');
    expect(() => app.consumer('email', { strict: true })).toThrow(/consumer group email is already declared with other options \(strict: false before, true now\)/);
  });
});

describe('createFactline({ stopOnSignals })', () => {
  it('refuses what is not true, false or a list of signal names', () => {
    const engine = sqliteEngine({ file: freshFile() });
    expect(() => createFactline({ engine, source: 'a/b', stopOnSignals: 'SIGTERM' as never })).toThrow(/stopOnSignals must be true, false or a list of signal names/);
    expect(() => createFactline({ engine, source: 'a/b', stopOnSignals: ['TERM'] as never })).toThrow(/stopOnSignals must be/);
  });

  it('listens from start() to stop() only', async () => {
    const before = process.listenerCount('SIGTERM');
    const app = createFactline({ engine: sqliteEngine({ file: freshFile() }), source: 'a/b', stopOnSignals: true, logger: memoryLogger() });
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await app.start();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
    await app.stop();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
