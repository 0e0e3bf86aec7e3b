import { z } from 'zod';
import { expect, it } from 'vitest';
import type { Engine } from '../core/engine.js';
import { defineEvent } from '../core/event.js';
import { EventValidationError, FactlineError } from '../core/errors.js';
import { uuidv7 } from '../core/ids.js';
import { partitionOf } from '../core/partition.js';
import { TestPlaced, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

const once = { attempts: 1 };

const Anything = defineEvent({
  type: 'test.anything.happened',
  version: 1,
  schema: z.object({ key: z.string() }).passthrough(),
  subject: (d) => d.key,
});

const Dated = defineEvent({
  type: 'test.dated.happened',
  version: 1,
  schema: z.object({ key: z.string(), at: z.date() }),
  subject: (d) => d.key,
});

/** Appends an envelope as given, bypassing publish's checks (a row written by another tool or an older version). */
async function appendRaw(engine: Engine, partitions: number, envelope: Record<string, unknown>): Promise<void> {
  const key = String(envelope.partitionkey);
  await engine.append([{ partition: partitionOf(key, partitions), envelope: envelope as never }]);
}

function rawEnvelope(key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const id = uuidv7(Date.now());
  return {
    specversion: '1.0', id, source: 'test/raw', type: TestPlaced.type, time: new Date().toISOString(), subject: key,
    datacontenttype: 'application/json', dataschema: `urn:factline:${TestPlaced.type}:1`, data: { key, n: 1 },
    partitionkey: key, dataversion: 1, correlationid: id, ...extra,
  };
}

/**
 * Hostile input: whatever a handler throws, whatever a stored row holds and whatever a publisher
 * passes, nothing acknowledged is lost and no partition stalls.
 */
export function hazardContract<Db>(subject: ContractSubject<Db>): void {
  it('makes a dead letter with a cleaned reason of a failure whose message holds U+0000, and moves on', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const seen: string[] = [];
    app.consumer('nul', { retry: once }).on(TestPlaced, (e) => {
      if (e.data.key === 'bad') throw new Error('broken\u0000byte');
      seen.push(e.data.key);
    });
    await app.publishAll([{ event: TestPlaced, data: { key: 'bad', n: 1 } }, { event: TestPlaced, data: { key: 'good', n: 1 } }]);
    await app.start();
    try {
      await eventually('the good event handled', () => seen.includes('good'));
      const [dl] = await eventually('a dead letter', async () => {
        const list = await app.engine.admin.listDeadLetters({ group: 'nul' });
        return list.length === 1 ? list : undefined;
      });
      expect(dl!.reason).toContain('broken\\0byte');
      expect(dl!.reason).not.toContain('\u0000');
    } finally {
      await app.stop();
    }
  });

  it('makes a dead letter of a handler that throws an object with no prototype, or a plain object, with a readable reason', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    app.consumer('weird', { retry: once }).on(TestPlaced, (e) => {
      if (e.data.key === 'bare') throw Object.create(null);
      throw { code: 42, why: 'plain' };
    });
    await app.publishAll([{ event: TestPlaced, data: { key: 'bare', n: 1 } }, { event: TestPlaced, data: { key: 'plain', n: 1 } }]);
    await app.start();
    try {
      const list = await eventually('two dead letters', async () => {
        const l = await app.engine.admin.listDeadLetters({ group: 'weird' });
        return l.length === 2 ? l : undefined;
      });
      const plain = list.find((d) => d.subject === 'plain')!;
      expect(plain.reason).toContain('{"code":42,"why":"plain"}');
      expect(plain.reason).not.toContain('[object Object]');
      expect(list.find((d) => d.subject === 'bare')!.reason).toContain('no readable content');
    } finally {
      await app.stop();
    }
  });

  it('makes a dead letter of a stored envelope with no subject (or one holding U+0000) whose handler fails', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const seen: string[] = [];
    app.consumer('nosubject', { retry: once }).on(TestPlaced, (e) => {
      if (e.data.key !== 'good') throw new Error('cannot');
      seen.push(e.data.key);
    });
    await app.start();
    try {
      const { subject: _gone, ...noSubject } = rawEnvelope('k1');
      await appendRaw(app.engine as Engine, 1, noSubject);
      await appendRaw(app.engine as Engine, 1, rawEnvelope('k2', { subject: 'nul\u0000subject' }));
      await app.publish(TestPlaced, { key: 'good', n: 1 });
      await eventually('the later event handled', () => seen.includes('good'));
      const list = await eventually('two dead letters', async () => {
        const l = await app.engine.admin.listDeadLetters({ group: 'nosubject' });
        return l.length === 2 ? l : undefined;
      });
      expect(list.map((d) => d.subject).sort()).toEqual(['k1', 'nul\\0subject']);
    } finally {
      await app.stop();
    }
  });

  it('refuses ids, sources, subjects, keys and group names past their limits or with control characters, naming the limit', async () => {
    const open = await subject.freshStore();
    const engine = open();
    expect(() => testApp(engine, { source: 's'.repeat(3000) })).toThrow(/source is 3000 bytes long; the limit is 200 bytes/);
    const app = testApp(engine, { partitions: 1 });
    expect(() => app.consumer('g'.repeat(3000))).toThrow(/limit is 100 bytes/);
    await expect(app.publish(TestPlaced, { key: 'k', n: 1 }, { id: 'i'.repeat(3000) })).rejects.toMatchObject({ code: 'EVENT_INVALID', message: expect.stringMatching(/id is 3000 bytes long; the limit is 200 bytes/) });
    await expect(app.publish(TestPlaced, { key: 'k'.repeat(3000), n: 1 })).rejects.toMatchObject({ code: 'EVENT_INVALID', message: expect.stringMatching(/subject is 3000 bytes long; the limit is 500 bytes/) });
    await expect(app.publish(TestPlaced, { key: 'a\u0000b', n: 1 })).rejects.toMatchObject({ code: 'EVENT_INVALID', message: expect.stringMatching(/U\+0000/) });
    await app.stop();
  });

  it('fails only the bad publish of a group commit: its neighbours are stored and resolve', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 2 });
    try {
      const results = await Promise.allSettled([
        app.publish(Anything, { key: 'a' }),
        app.publish(Anything, { key: 'b', n: 1n } as never),
        app.publish(Anything, { key: 'a\u0000c' }),
        app.publish(Anything, { key: 'c' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(EventValidationError);
      for (const r of results) if (r.status === 'fulfilled') expect(await app.engine.admin.findEvent(r.value.id)).toBeDefined();
    } finally {
      await app.stop();
    }
  });

  it('refuses at publish data that does not survive JSON (Date, function, NaN, Infinity, BigInt, circular), naming the field', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    try {
      const circular: Record<string, unknown> = { key: 'k' };
      circular.self = circular;
      const cases: [unknown, RegExp][] = [
        [{ key: 'k', nested: { when: new Date() } }, /field nested\.when: a Date does not survive JSON/],
        [{ key: 'k', fn: () => 1 }, /field fn: a function/],
        [{ key: 'k', list: [1, Number.NaN] }, /field list\.1: NaN/],
        [{ key: 'k', big: Infinity }, /field big: Infinity/],
        [{ key: 'k', n: 10n }, /field n: a BigInt/],
        [circular, /field self(\.self)?: a circular reference/],
      ];
      for (const [data, message] of cases) {
        const err = await app.publish(Anything, data as never).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(EventValidationError);
        expect((err as FactlineError).code).toBe('EVENT_INVALID');
        expect((err as Error).message).toMatch(message);
      }
      await expect(app.publish(Dated, { key: 'k', at: new Date() })).rejects.toMatchObject({ code: 'EVENT_INVALID' });
      expect(await app.engine.admin.heads()).toEqual([0]);
    } finally {
      await app.stop();
    }
  });

  it('refuses an event larger than maxEventBytes with EVENT_TOO_LARGE, and stores one within it', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1, maxEventBytes: 64 * 1024 });
    try {
      await expect(app.publish(Anything, { key: 'k', blob: 'x'.repeat(70 * 1024) })).rejects.toMatchObject({ code: 'EVENT_TOO_LARGE', message: expect.stringMatching(/limit is 65536 bytes/) });
      await app.publish(Anything, { key: 'k', blob: 'x'.repeat(60 * 1024) });
      expect(await app.engine.admin.heads()).toEqual([1]);
    } finally {
      await app.stop();
    }
  });

  it('bounds a consumer read by bytes: large events make smaller batches, and every event is handled', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const sizes: number[] = [];
    let handled = 0;
    app
      .consumer('bytes', { batchBytes: 256 * 1024, onCommitted: (c) => void (c.handled > 0 && sizes.push(c.handled)) })
      .on(Anything, () => void handled++);
    const entries = Array.from({ length: 40 }, (_, i) => ({ event: Anything, data: { key: `k${i}`, blob: 'x'.repeat(60 * 1024) } }));
    await app.publishAll(entries);
    await app.start();
    try {
      await eventually('all handled', () => handled === 40);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
    } finally {
      await app.stop();
    }
  });

  it('handles an event whose (source, id) was published twice in one transaction once, and the events around it', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    const seen: string[] = [];
    app.consumer('dups').on(TestPlaced, (e) => void seen.push(`${e.data.key}${e.data.n}`));
    await app.transaction(async (tx) => {
      await tx.publish(TestPlaced, { key: 'k', n: 1 }, { id: 'same-id' });
      await tx.publish(TestPlaced, { key: 'k', n: 1 }, { id: 'same-id' });
      await tx.publish(TestPlaced, { key: 'k', n: 2 });
    });
    await app.start();
    try {
      await eventually('both handled', () => seen.length >= 2);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toEqual(['k1', 'k2']);
    } finally {
      await app.stop();
    }
  });

  it('applies one (source, id) once when its copies land in different partitions (a re-publish with another key)', async () => {
    const open = await subject.freshStore();
    const partitions = 8;
    const keys = ['a'];
    for (let i = 0; keys.length < 2; i++) if (partitionOf(`k${i}`, partitions) !== partitionOf(keys[0]!, partitions)) keys.push(`k${i}`);
    const table = 'cross_partition';
    const app = testApp(open(), { partitions });
    await app.start();
    await app.transaction((tx) => subject.createTable(tx.db, table));
    await app.stop();
    for (let round = 0; round < 3; round++) {
      const again = testApp(open(), { partitions });
      let calls = 0;
      again.consumer(`once${round}`).on(TestPlaced, async (e, ctx) => {
        calls++;
        await subject.insert(ctx.db, table, { id: `${round}:${e.id}`, key: e.data.key, n: e.data.n });
      });
      const id = `same-${round}`;
      await Promise.all(keys.map((key) => again.publish(TestPlaced, { key, n: round }, { id })));
      await again.start();
      try {
        await eventually('a copy handled', () => calls >= 1);
        await new Promise((r) => setTimeout(r, 300));
        const rows = await again.transaction((tx) => subject.list(tx.db, table));
        expect(rows.filter((r) => r.id === `${round}:${id}`)).toHaveLength(1);
      } finally {
        await again.stop();
      }
    }
  });

  it('delivers everything published after start() resolves to a group that starts from now', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 4 });
    const seen = new Set<number>();
    await app.publish(TestPlaced, { key: 'before', n: -1 });
    app.consumer('late', { startFrom: 'now' }).on(TestPlaced, (e) => void seen.add(e.data.n));
    await app.start();
    try {
      // At once, in the tick start() resolved in: no member has had time to look at the log yet.
      await Promise.all(Array.from({ length: 40 }, (_, i) => app.publish(TestPlaced, { key: `k${i}`, n: i })));
      await eventually('all 40 delivered', () => seen.size === 40);
      expect(seen.has(-1)).toBe(false);
    } finally {
      await app.stop();
    }
  });
}
