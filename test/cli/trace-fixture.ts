import { expect } from 'vitest';
import { z } from 'zod';
import { createFactline, defineEvent, NonRetryableError, type Engine } from '../../src/index.js';
import { eventually } from '../../src/testing/helpers.js';
import { cli } from './log-fixture.js';

const Placed = defineEvent({ type: 'test.order.placed', version: 1, schema: z.object({ orderId: z.string(), bad: z.boolean() }), subject: (d) => d.orderId });
const Invoiced = defineEvent({ type: 'test.invoice.issued', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => `inv-${d.orderId}` });
const Noted = defineEvent({ type: 'test.order.noted', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => d.orderId });

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Ids of the flows `buildFlows` leaves in the log. */
export interface Flows {
  readonly done: string;
  readonly retried: string;
  readonly dead: string;
  readonly later: string;
}

/**
 * Runs a real app on `open()` until the log holds one flow of each kind, then stops it: `o-done`
 * (handled, an invoice handled by another group, a note no group handles), `o-retry` (retrying, and
 * a second event parked behind it), `o-dead` (a dead letter in strict mode, its key held) and, once
 * the members are gone, `o-later` (not reached).
 */
export async function buildFlows(open: () => Engine): Promise<Flows> {
  const app = createFactline({ engine: open(), source: 'test/orders', partitions: 2, logger: quiet });
  app.consumer('billing', { pollMs: 20 }).on(Placed, async (e, ctx) => {
    if (e.data.orderId === 'o-done') await ctx.publish(Invoiced, { orderId: e.data.orderId });
  });
  app.consumer('ledger', { pollMs: 20 }).on(Invoiced, () => undefined);
  app.consumer('fraud', { pollMs: 20, strict: true, retry: { attempts: 3, initialDelayMs: 120_000, maxDelayMs: 120_000, jitter: 0 } }).on(Placed, (e) => {
    if (e.data.orderId === 'o-retry') throw new Error('score service timed out');
    if (e.data.bad) throw new NonRetryableError(`order ${e.data.orderId}: no risk profile for its country`);
  });
  await app.start();
  const done = await app.publish(Placed, { orderId: 'o-done', bad: false });
  await app.publish(Noted, { orderId: 'o-done' }, { correlationId: done.id });
  const retried = await app.publish(Placed, { orderId: 'o-retry', bad: false });
  // The second event of each key continues the flow of the first (same correlation id).
  await app.publish(Placed, { orderId: 'o-retry', bad: false }, { correlationId: retried.id });
  const dead = await app.publish(Placed, { orderId: 'o-dead', bad: true });
  await app.publish(Placed, { orderId: 'o-dead', bad: false }, { correlationId: dead.id });
  await eventually('every flow settled', async () => {
    const [a, b, c] = await Promise.all([app.engine.admin.trace(done.id), app.engine.admin.trace(retried.id), app.engine.admin.trace(dead.id)]);
    return a.verdict.state === 'complete' && a.events.length === 3 && b.events[1]?.outcomes.some((o) => o.state === 'parked') && c.verdict.state === 'stuck'
      && c.events[1]?.outcomes.some((o) => o.state === 'parked');
  });
  await app.stop();
  const writer = createFactline({ engine: open(), source: 'test/orders', partitions: 2, logger: quiet });
  const later = await writer.publish(Placed, { orderId: 'o-later', bad: false });
  await writer.stop();
  return { done: done.id, retried: retried.id, dead: dead.id, later: later.id };
}

interface JsonTrace {
  matched: string;
  verdict: { state: string; summary: string; where?: { eventId: string; group: string } };
  events: { id: string; type: string; subject: string; outcomes: { group: string | null; state: string; [k: string]: unknown }[] }[];
}

function traced(target: readonly string[], query: string, code: number): JsonTrace {
  const r = cli(['trace', query, ...target, '--json']);
  expect(r.code, r.stderr).toBe(code);
  return JSON.parse(r.stdout) as JsonTrace;
}

/** Checks `factline trace` on the flows of `buildFlows`, as JSON and as text, with its exit codes. */
export function checkTraceCli(target: readonly string[], flows: Flows): void {
  const done = traced(target, flows.done, 0);
  expect(done.matched).toBe('event');
  expect(done.verdict.state).toBe('complete');
  const byType = new Map(done.events.map((e) => [e.type, e]));
  expect(byType.get('test.order.placed')!.outcomes).toEqual([
    expect.objectContaining({ group: 'billing', state: 'handled', fromPosition: false }),
    expect.objectContaining({ group: 'fraud', state: 'handled', fromPosition: false }),
  ]);
  expect(byType.get('test.invoice.issued')!.outcomes).toEqual([expect.objectContaining({ group: 'ledger', state: 'handled' })]);
  expect(byType.get('test.order.noted')!.outcomes).toEqual([{ group: null, state: 'no-handler' }]);
  expect(traced(target, done.events[0]!.id, 0).events).toHaveLength(3);

  const bySubject = traced(target, 'o-retry', 3);
  expect(bySubject.matched).toBe('subject');
  const [first, second] = bySubject.events;
  expect(first!.outcomes.find((o) => o.group === 'fraud')).toMatchObject({ state: 'retrying', attempts: 1, lastError: 'score service timed out' });
  expect(second!.outcomes.find((o) => o.group === 'fraud')).toMatchObject({ state: 'parked', behind: { eventId: flows.retried } });
  expect(bySubject.verdict).toMatchObject({ state: 'in-progress', where: { eventId: flows.retried, group: 'fraud' } });

  const dead = traced(target, flows.dead, 4);
  expect(dead.events[0]!.outcomes.find((o) => o.group === 'fraud')).toMatchObject({ state: 'dead-letter', status: 'open', reason: expect.stringMatching(/no risk profile/) });
  expect(dead.events[1]!.outcomes.find((o) => o.group === 'fraud')).toMatchObject({ state: 'parked', behind: { eventId: flows.dead } });
  expect(dead.verdict).toMatchObject({ state: 'stuck', where: { eventId: flows.dead, group: 'fraud' } });

  const later = traced(target, flows.later, 3);
  expect(later.events[0]!.outcomes).toEqual([
    { group: 'billing', state: 'not-reached', behind: expect.any(Number) },
    { group: 'fraud', state: 'not-reached', behind: expect.any(Number) },
  ]);

  const none = traced(target, 'no-such-order', 1);
  expect(none).toMatchObject({ matched: 'none', events: [] });

  const text = cli(['trace', flows.dead, ...target]);
  expect(text.code).toBe(4);
  expect(text.stdout).toMatch(/^stuck: test\.order\.placed o-dead is a dead letter in group fraud/m);
  expect(text.stdout).toMatch(/fraud {2,}DEAD LETTER since .*factline dlq show /);
  expect(text.stdout).toMatch(/billing {2}handled at /);
  const doneText = cli(['trace', flows.done, ...target]);
  expect(doneText.stdout).toMatch(/no group handles this type/);
  expect(cli(['trace', 'o-retry', ...target]).stdout).toMatch(/retrying: 1 failed attempt\(s\), next at .*score service timed out/);
  expect(cli(['trace', flows.later, ...target]).stdout).toMatch(/not reached yet/);
}
