import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent, TransactionEndedError, type Engine } from '../../src/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger, testApp, TestPlaced } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'factline-failures-'));
let n = 0;
const freshFile = () => join(dir, `f-${++n}.db`);

describe('failures on SQLite', () => {
  it('follows the backoff schedule on an injected clock and keeps attempts across a restart', async () => {
    const file = freshFile();
    const clock = { t: 1_000_000, now() { return this.t; } };
    const attempts: number[] = [];
    const start = (engine: Engine<SqliteDb>) => {
      const app = testApp(engine, { clock, random: () => 0.5, partitions: 1 });
      app.consumer('flaky', { pollMs: 10, retry: { attempts: 10, initialDelayMs: 1000, factor: 3, maxDelayMs: 5000 } }).on(TestPlaced, (_e, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error('still down');
      });
      return app;
    };
    const parkedRow = async (engine: Engine<SqliteDb>) => (await engine.parked('flaky', 0))[0];

    let app = start(sqliteEngine({ file }));
    await app.publish(TestPlaced, { key: 'k', n: 1 });
    await app.start();
    await eventually('first attempt', async () => (await parkedRow(app.engine))?.attempts === 1);
    expect((await parkedRow(app.engine))!.nextAttemptAt).toBe(1_000_000 + 1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts.filter((a) => a > 1)).toEqual([]); // not due until the clock moves

    clock.t += 1000;
    await eventually('second attempt', async () => (await parkedRow(app.engine))?.attempts === 2);
    expect((await parkedRow(app.engine))!.nextAttemptAt).toBe(1_001_000 + 3000);
    await app.stop();

    app = start(sqliteEngine({ file }));
    await app.start();
    clock.t += 3000;
    await eventually('third attempt after restart', async () => (await parkedRow(app.engine))?.attempts === 3);
    const row = (await parkedRow(app.engine))!;
    expect(row.nextAttemptAt).toBe(1_004_000 + 5000); // 9000 capped at 5000
    expect(row.errors.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(attempts.at(-1)).toBe(3);
    await app.stop();
  });

  it('dead-letters a malformed stored event and an unknown version without holding up other keys', async () => {
    const file = freshFile();
    // Version 2 is older than the group's newest (3) and reaches no handler by upcasting: unknown.
    const PlacedV2 = defineEvent({ type: TestPlaced.type, version: 2, schema: z.object({ key: z.string(), n: z.number(), extra: z.string() }), subject: (d) => d.key });
    const PlacedV3 = defineEvent({ type: TestPlaced.type, version: 3, schema: z.object({ key: z.string(), n: z.number(), extra: z.string() }), subject: (d) => d.key });
    const writer = testApp(sqliteEngine({ file }), { partitions: 1 });
    const bad = await writer.publish(TestPlaced, { key: 'broken', n: 1 });
    const v2 = await writer.publish(PlacedV2, { key: 'future', n: 1, extra: 'x' });
    for (let i = 0; i < 5; i++) await writer.publish(TestPlaced, { key: `ok${i}`, n: i });
    await writer.stop();
    const raw = new Database(file);
    raw.prepare('update factline_events set body = ? where id = ?').run('{"specversion":"1.0", truncated', bad.id);
    raw.close();

    const logger = memoryLogger();
    const handled: string[] = [];
    const app = testApp(sqliteEngine({ file }), { partitions: 1, logger });
    app.consumer('robust').on(TestPlaced, (e) => void handled.push(e.data.key)).on(PlacedV3, (e) => void handled.push(e.data.key));
    await app.start();
    try {
      await eventually('others handled', () => handled.length >= 5);
      const dls = await eventually('two dead letters', async () => {
        const l = await app.engine.admin.listDeadLetters({ group: 'robust' });
        return l.length === 2 ? l : undefined;
      });
      const byEvent = new Map(dls.map((d) => [d.eventId, d]));
      expect(byEvent.get(bad.id)!.reason).toMatch(/malformed event/);
      expect(byEvent.get(v2.id)!.reason).toMatch(/unknown version: test.item.placed version 2/);
      expect(new Set(handled)).toEqual(new Set(['ok0', 'ok1', 'ok2', 'ok3', 'ok4']));
      const alert = logger.entries.filter((e) => e.level === 'error');
      expect(alert).toHaveLength(1);
      expect(alert[0]!.fields).toMatchObject({ group: 'robust', eventType: 'test.item.placed' });
      expect(alert[0]!.message).toMatch(/dead letter in group robust/);
    } finally {
      await app.stop();
    }
  });

  it('sends an event whose data fails the consumer schema straight to the dead letters', async () => {
    const file = freshFile();
    // One registered JSON Schema for version 1; the consumer's own validation is stricter.
    const jsonSchema = { type: 'object', properties: { id: { type: 'string' }, amount: { type: 'number' } }, required: ['id', 'amount'] };
    const Loose = defineEvent({ type: 'test.payment.made', version: 1, schema: z.object({ id: z.string(), amount: z.number() }), subject: (d) => d.id, jsonSchema });
    const Strict = defineEvent({ type: 'test.payment.made', version: 1, schema: z.object({ id: z.string(), amount: z.number().positive() }), subject: (d) => d.id, jsonSchema });
    const producer = testApp(sqliteEngine({ file }), { partitions: 1 });
    await producer.publish(Loose, { id: 'p1', amount: -5 });
    await producer.publish(Loose, { id: 'p2', amount: 5 });
    await producer.stop();
    const calls: string[] = [];
    const app = testApp(sqliteEngine({ file }), { partitions: 1 });
    app.consumer('ledger', { retry: { attempts: 5, initialDelayMs: 10 } }).on(Strict, (e) => void calls.push(e.data.id));
    await app.start();
    try {
      const [dl] = await eventually('dead letter', async () => {
        const l = await app.engine.admin.listDeadLetters({ group: 'ledger' });
        return l.length ? l : undefined;
      });
      expect(dl!.reason).toMatch(/^invalid data: cannot handle test\.payment\.made: field amount/);
      expect(dl!.errors).toHaveLength(1);
      await eventually('p2 handled', () => calls.includes('p2'));
      expect(calls).not.toContain('p1');
    } finally {
      await app.stop();
    }
  });

  it('keeps a handler that outlived its timeout from writing, even through a saved ctx.db', async () => {
    const app = testApp(sqliteEngine({ file: freshFile() }), { partitions: 1 });
    let late: unknown;
    let lateWrite: unknown;
    app.consumer('slow', { timeoutMs: 50, retry: { attempts: 1 } }).on(TestPlaced, async (_e, ctx) => {
      const saved = ctx.db;
      await new Promise((r) => setTimeout(r, 150));
      try {
        void ctx.db;
      } catch (err) {
        late = err;
      }
      try {
        saved.prepare('create table zombie (x)').run();
      } catch (err) {
        lateWrite = err;
      }
    });
    await app.publish(TestPlaced, { key: 'k', n: 1 });
    await app.start();
    try {
      await eventually('late access refused', () => late && lateWrite);
      expect(late).toBeInstanceOf(TransactionEndedError);
      expect((late as Error).message).toMatch(/^ctx\.db of the handler of test\.item\.placed in group slow was used after its attempt ended/);
      expect(lateWrite).toBeInstanceOf(TransactionEndedError);
      expect((lateWrite as Error).message).toMatch(/^db\.prepare\(\) was called on the db of a consumer group's transaction: a handler kept ctx\.db after its attempt ended/);
      const tables = await app.transaction(async (tx) => tx.db.prepare("select name from sqlite_master where name = 'zombie'").all());
      expect(tables).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('commits concurrent single publishes in a few shared transactions', async () => {
    const engine = sqliteEngine({ file: freshFile() });
    let appends = 0;
    const counting: Engine<SqliteDb> = { ...engine, admin: engine.admin, append: (events) => (appends++, engine.append(events)) };
    const app = testApp(counting);
    await app.start();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => app.publish(TestPlaced, { key: `k${i}`, n: i })));
    expect((await engine.admin.heads()).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(appends).toBeLessThan(20);
    await app.stop();
  });

  it('prunes inbox rows older than the retention', async () => {
    const file = freshFile();
    const app = testApp(sqliteEngine({ file }));
    app.consumer('g').on(TestPlaced, () => undefined);
    await app.start();
    for (let i = 0; i < 20; i++) await app.publish(TestPlaced, { key: `k${i}`, n: i });
    await eventually('handled', async () => (await app.engine.admin.status()).every((s) => s.position === s.head));
    expect(await app.engine.pruneInbox(Date.now() - 60_000)).toBe(0);
    expect(await app.engine.pruneInbox(Date.now() + 1)).toBe(20);
    await app.stop();
  });
});
