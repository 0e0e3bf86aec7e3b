import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFactline, defineCommand } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { memoryLogger } from '../../src/testing/helpers.js';
import { freshDb, run } from '../examples/shop-run.js';

const VoidInvoice = defineCommand({ type: 'test.invoice.void', version: 1, schema: z.object({ id: z.string() }), target: (d) => d.id });
const Refund = defineCommand({ type: 'test.payment.refund', version: 1, schema: z.object({ id: z.string() }), target: (d) => d.id });

describe('factline lag and commands', () => {
  it('lists pending commands per type, and NO HANDLER for a type no group handles', async () => {
    const db = freshDb();
    const app = createFactline({ engine: sqliteEngine({ file: db }), source: 'test/cli', partitions: 2, logger: memoryLogger() });
    // A group that declares the refund handler but is stopped before it handles anything.
    app.consumer('payments', { startFrom: 'now' }).handle(Refund, () => undefined);
    await app.start();
    await app.stop();
    const sender = createFactline({ engine: sqliteEngine({ file: db }), source: 'test/cli', partitions: 2, logger: memoryLogger() });
    await sender.send(VoidInvoice, { id: 'i1' });
    await sender.send(VoidInvoice, { id: 'i2' });
    await sender.send(Refund, { id: 'p1' });
    await sender.stop();

    const report = JSON.parse(run('cli', ['lag', '--db', db, '--json'])) as { commands: { type: string; pending: number; handlers: string[] }[] };
    expect(report.commands.map((c) => [c.type, c.pending, c.handlers])).toEqual([
      ['test.invoice.void', 2, []],
      ['test.payment.refund', 1, ['payments']],
    ]);
    const text = run('cli', ['lag', '--db', db]);
    expect(text).toMatch(/commands not decided yet:\nCOMMAND +PENDING +OLDEST +HANDLED BY\ntest\.invoice\.void +2 +\S+ +NO HANDLER\ntest\.payment\.refund +1 +\S+ +payments/);
  });
});
