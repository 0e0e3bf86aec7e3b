import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { CommandHandlerConflictError, CommandRejection, FactlineError } from '../core/errors.js';
import { CommandRejected } from '../command/command-rejected.js';
import { TestPlaced, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

export const TestReserve = defineCommand({
  type: 'test.item.reserve',
  version: 1,
  schema: z.object({ key: z.string(), n: z.number().int() }),
  target: (d) => d.key,
});

const fast = { attempts: 3, initialDelayMs: 10, maxDelayMs: 20, jitter: 0 };

/** Commands: one handler, a decision recorded as the outcome, rejection distinct from failure. */
export function commandContract<Db>(subject: ContractSubject<Db>): void {
  it('records an accepted command with its handler\'s writes; the sender awaits the outcome', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    await app.start();
    await app.transaction((tx) => subject.createTable(tx.db, 'reserved'));
    await app.stop();
    const again = testApp(open());
    again.consumer('stock').handle(TestReserve, async (c, ctx) => subject.insert(ctx.db, 'reserved', { id: c.id, key: c.data.key, n: c.data.n }));
    await again.start();
    try {
      const sent = await again.send(TestReserve, { key: 'k1', n: 2 });
      expect(sent.partitionkey).toBe('k1');
      const outcome = await again.outcome(sent.id, { timeoutMs: 20_000 });
      expect(outcome).toMatchObject({ status: 'accepted', group: 'stock' });
      const rows = await again.transaction((tx) => subject.list(tx.db, 'reserved'));
      expect(rows).toEqual([{ id: sent.id, key: 'k1', n: 2 }]);
      const [record] = await again.engine.admin.commands({ ids: [sent.id] });
      expect(record).toMatchObject({ id: sent.id, type: TestReserve.type, key: 'k1', status: 'accepted', group: 'stock' });
    } finally {
      await again.stop();
    }
  });

  it('records a rejection as the outcome, never retries it, and publishes CommandRejected', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    let calls = 0;
    const rejected: { commandId: string; reason: string; causation: string | undefined }[] = [];
    app.consumer('stock', { retry: fast }).handle(TestReserve, () => {
      calls++;
      throw new CommandRejection('out of stock');
    });
    app.consumer('watch').on(CommandRejected, (e) => void rejected.push({ commandId: e.data.commandId, reason: e.data.reason, causation: e.causationid }));
    await app.start();
    try {
      const sent = await app.send(TestReserve, { key: 'k1', n: 1 });
      expect(await app.outcome(sent.id, { timeoutMs: 20_000 })).toMatchObject({ status: 'rejected', reason: 'out of stock', group: 'stock' });
      await eventually('CommandRejected handled', () => rejected.length === 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(calls).toBe(1);
      expect(rejected).toEqual([{ commandId: sent.id, reason: 'out of stock', causation: sent.id }]);
      expect(await app.engine.admin.listDeadLetters({})).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('retries a failing command handler, then its outcome is the dead letter', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    let calls = 0;
    app.consumer('stock', { retry: fast }).handle(TestReserve, () => {
      calls++;
      throw new Error('stock database unavailable');
    });
    await app.start();
    try {
      const sent = await app.send(TestReserve, { key: 'k1', n: 1 });
      const outcome = await app.outcome(sent.id, { timeoutMs: 20_000 });
      expect(outcome).toMatchObject({ status: 'dead-letter', group: 'stock' });
      expect(calls).toBe(3);
    } finally {
      await app.stop();
    }
  });

  it('refuses at start a second group handling the same command type', async () => {
    const open = await subject.freshStore();
    const first = testApp(open());
    first.consumer('stock').handle(TestReserve, () => undefined);
    await first.start();
    const second = testApp(open());
    let ran = 0;
    second.consumer('warehouse').handle(TestReserve, () => void ran++);
    try {
      const err = await second.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CommandHandlerConflictError);
      expect((err as FactlineError).code).toBe('COMMAND_HANDLER_CONFLICT');
      expect((err as Error).message).toMatch(/group warehouse cannot handle command test\.item\.reserve: group stock handles it/);
      const sent = await first.send(TestReserve, { key: 'k', n: 1 });
      expect(await first.outcome(sent.id, { timeoutMs: 20_000 })).toMatchObject({ status: 'accepted', group: 'stock' });
      expect(ran).toBe(0);
    } finally {
      await second.stop();
      await first.stop();
    }
    const both = testApp(open());
    both.consumer('a').handle(TestReserve, () => undefined);
    both.consumer('b').handle(TestReserve, () => undefined);
    await expect(both.start()).rejects.toBeInstanceOf(CommandHandlerConflictError);
    await both.stop();
  });

  it('sends a command from a handler: it commits with the handler, caused by the handled event', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    const got: { causation: string | undefined; correlation: string }[] = [];
    app.consumer('orders').on(TestPlaced, async (e) => {
      await app.send(TestReserve, { key: e.data.key, n: e.data.n });
    });
    app.consumer('stock').handle(TestReserve, (c) => void got.push({ causation: c.causationid, correlation: c.correlationid }));
    await app.start();
    try {
      const placed = await app.publish(TestPlaced, { key: 'k', n: 1 });
      await eventually('the command handled', () => got.length === 1);
      expect(got).toEqual([{ causation: placed.id, correlation: placed.correlationid }]);
    } finally {
      await app.stop();
    }
  });

  it('tracks a scheduled command, forgets a cancelled one, and refuses a command given to publish', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { scheduledPollMs: 5 });
    app.consumer('stock').handle(TestReserve, () => undefined);
    await app.start();
    try {
      const soon = await app.schedule(TestReserve, { key: 'k', n: 1 }, { delayMs: 20 });
      expect(await app.outcome(soon.id, { timeoutMs: 20_000 })).toMatchObject({ status: 'accepted' });
      const later = await app.schedule(TestReserve, { key: 'k', n: 2 }, { delayMs: 60_000 });
      expect(await app.cancelScheduled(later.id)).toBe(true);
      await expect(app.outcome(later.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(app.publish(TestReserve as never, { key: 'k', n: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(app.outcome('no-such-command')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await app.stop();
    }
  });
}
