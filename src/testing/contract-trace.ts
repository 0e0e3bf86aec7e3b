import { expect, it } from 'vitest';
import type { Envelope } from '../core/envelope.js';
import type { FlowOutcome, FlowTrace } from '../core/trace.js';
import { TestIgnored, TestPlaced, TestShipped, testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

const slow = { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 };

function outcome(trace: FlowTrace, eventId: string, group: string | null): FlowOutcome | undefined {
  return trace.events.find((e) => e.id === eventId)?.outcomes.find((o) => o.group === group);
}

/** `admin.trace`: a flow by event id, correlation id or subject, and every group's outcome per event. */
export function traceContract<Db>(subject: ContractSubject<Db>): void {
  it('traces a finished flow by event id, correlation id and subject, with handled and no-handler outcomes', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 2 });
    app.consumer('billing').on(TestPlaced, async (e, ctx) => {
      await ctx.publish(TestShipped, { key: `ship-${e.data.key}`, n: e.data.n });
    });
    app.consumer('shipping').on(TestShipped, () => undefined);
    await app.start();
    try {
      const [placed, ignored] = await app.publishAll([
        { event: TestPlaced, data: { key: 'order-1', n: 1 }, options: { correlationId: 'flow-1' } },
        { event: TestIgnored, data: { key: 'order-1' }, options: { correlationId: 'flow-1' } },
        { event: TestPlaced, data: { key: 'order-2', n: 2 } },
      ]) as [Envelope, Envelope, Envelope];
      const trace = await eventually('the flow complete', async () => {
        const t = await app.engine.admin.trace(placed.id);
        return t.verdict.state === 'complete' && t.events.length === 3 ? t : undefined;
      });
      expect(trace.matched).toBe('event');
      expect(new Set(trace.events.map((e) => e.type))).toEqual(new Set([TestPlaced.type, TestIgnored.type, TestShipped.type]));
      const times = trace.events.map((e) => e.time);
      expect(times).toEqual([...times].sort());
      const shipped = trace.events.find((e) => e.type === TestShipped.type)!;
      expect(shipped).toMatchObject({ subject: 'ship-order-1', correlationId: 'flow-1', causationId: placed.id });
      expect(shipped.sequence).toBeGreaterThan(0);
      const handled = outcome(trace, placed.id, 'billing');
      expect(handled).toMatchObject({ group: 'billing', state: 'handled', fromPosition: false });
      expect(handled?.state === 'handled' && handled.at).toBeGreaterThan(0);
      // How long after the event's time its handling committed.
      if (handled?.state === 'handled') expect(handled.durationMs).toBe(handled.at! - Date.parse(placed.time));
      expect(outcome(trace, shipped.id, 'shipping')).toMatchObject({ state: 'handled', fromPosition: false });
      expect(trace.events.find((e) => e.id === ignored.id)).toMatchObject({ subject: 'order-1', outcomes: [{ group: null, state: 'no-handler' }] });
      expect(trace.verdict.summary).toMatch(/^complete/);

      const byCorrelation = await app.engine.admin.trace('flow-1');
      expect(byCorrelation.matched).toBe('correlation');
      expect(byCorrelation.events.map((e) => e.id)).toEqual(trace.events.map((e) => e.id));
      // The subject of the first event finds its whole flow, whose later events are about other subjects.
      const bySubject = await app.engine.admin.trace('order-1');
      expect(bySubject.matched).toBe('subject');
      expect(bySubject.events.map((e) => e.id)).toEqual(trace.events.map((e) => e.id));
      const none = await app.engine.admin.trace('no-such-thing');
      expect(none).toMatchObject({ matched: 'none', events: [], verdict: { state: 'in-progress' } });
      const cut = await app.engine.admin.trace('flow-1', { limit: 1 });
      expect(cut.events).toHaveLength(1);
      expect(cut.notes.join(' ')).toMatch(/more than 1 event/);

      // Once the inbox rows are pruned, outcomes come from the positions, and the trace says so.
      await app.engine.pruneInbox(Date.now() + 60_000);
      const pruned = await app.engine.admin.trace(placed.id);
      expect(outcome(pruned, placed.id, 'billing')).toEqual({ group: 'billing', state: 'handled', fromPosition: true });
      expect(pruned.verdict.state).toBe('complete');
      expect(pruned.notes.join(' ')).toMatch(/positions/);
    } finally {
      await app.stop();
    }
  });

  it('shows retrying, parked behind it and not reached, with an in-progress verdict', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    app.consumer('flaky', { retry: { ...slow, attempts: 5 } }).on(TestPlaced, (e) => {
      if (e.data.key === 'bad') throw new Error('payment service unavailable');
    });
    await app.start();
    const first = await app.publish(TestPlaced, { key: 'bad', n: 1 }, { correlationId: 'flow-r' });
    const second = await app.publish(TestPlaced, { key: 'bad', n: 2 }, { correlationId: 'flow-r' });
    try {
      const trace = await eventually('the retry and the parked event', async () => {
        const t = await app.engine.admin.trace('flow-r');
        return outcome(t, second.id, 'flaky')?.state === 'parked' ? t : undefined;
      });
      const retrying = outcome(trace, first.id, 'flaky');
      expect(retrying).toMatchObject({ state: 'retrying', attempts: 1, lastError: 'payment service unavailable' });
      expect(retrying?.state === 'retrying' && retrying.nextAttemptAt).toBeGreaterThan(Date.now() + 30_000);
      expect(outcome(trace, second.id, 'flaky')).toMatchObject({ state: 'parked', behind: { eventId: first.id, sequence: Number(first.sequence) } });
      expect(trace.verdict).toMatchObject({ state: 'in-progress', where: { eventId: first.id, group: 'flaky' } });
    } finally {
      await app.stop();
    }

    // A group whose members are gone has not reached what was published since.
    const writer = testApp(open(), { partitions: 1 });
    try {
      await writer.publish(TestPlaced, { key: 'other', n: 1 });
      const later = await writer.publish(TestPlaced, { key: 'other', n: 2 }, { correlationId: 'flow-n' });
      const trace = await writer.engine.admin.trace('flow-n');
      expect(outcome(trace, later.id, 'flaky')).toEqual({ group: 'flaky', state: 'not-reached', behind: 1 });
      expect(trace.verdict).toMatchObject({ state: 'in-progress', where: { eventId: later.id, group: 'flaky' } });
      expect(trace.verdict.summary).toMatch(/has not reached/);
    } finally {
      await writer.stop();
    }
  });

  it('is stuck at an open dead letter, and at an event held behind one in strict mode', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { partitions: 1 });
    app.consumer('fraud', { strict: true, retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10, jitter: 0 } }).on(TestPlaced, (e) => {
      if (e.data.n === 1) throw new Error('score service refused');
    });
    app.consumer('audit').on(TestPlaced, () => undefined);
    await app.start();
    try {
      const dead = await app.publish(TestPlaced, { key: 'o', n: 1 }, { correlationId: 'flow-d' });
      const held = await app.publish(TestPlaced, { key: 'o', n: 2 }, { correlationId: 'flow-d' });
      const trace = await eventually('the dead letter and the held event', async () => {
        const t = await app.engine.admin.trace('flow-d');
        return outcome(t, dead.id, 'fraud')?.state === 'dead-letter' && outcome(t, held.id, 'fraud')?.state === 'parked' && outcome(t, held.id, 'audit')?.state === 'handled' ? t : undefined;
      });
      const [dl] = await app.engine.admin.listDeadLetters({ group: 'fraud' });
      expect(outcome(trace, dead.id, 'fraud')).toEqual({ group: 'fraud', state: 'dead-letter', deadLetterId: dl!.id, since: dl!.createdAt, reason: dl!.reason, status: 'open' });
      expect(outcome(trace, held.id, 'fraud')).toMatchObject({ state: 'parked', behind: { eventId: dead.id }, reason: expect.stringMatching(/dead letter/) });
      expect(trace.verdict).toEqual({ state: 'stuck', where: { eventId: dead.id, group: 'fraud' }, since: dl!.createdAt, summary: expect.stringMatching(/^stuck: .*dead letter in group fraud/) });

      // Discarding the dead letter releases the key: the held event runs, and nothing is stuck.
      await app.engine.admin.discardDeadLetter(dl!.id, { by: 'test', why: 'fraudulent order' });
      const after = await eventually('the held event handled', async () => {
        const t = await app.engine.admin.trace('flow-d');
        return outcome(t, held.id, 'fraud')?.state === 'handled' ? t : undefined;
      });
      expect(outcome(after, dead.id, 'fraud')).toMatchObject({ state: 'dead-letter', status: 'discarded' });
      expect(after.verdict.state).toBe('complete');
    } finally {
      await app.stop();
    }
  });
}
