import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineCommand } from '../core/command.js';
import { defineEvent } from '../core/event.js';
import { CommandRejection } from '../core/errors.js';
import { defineWorkflow } from '../workflow/definition.js';
import { showWorkflow } from '../workflow/inspect.js';
import { testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

const key = z.object({ key: z.string() });
const Opened = defineEvent({ type: 'test.case.opened', version: 1, schema: z.object({ key: z.string(), amount: z.number() }), subject: (d) => d.key });
const Approved = defineEvent({ type: 'test.case.approved', version: 1, schema: key, subject: (d) => d.key });
const Shipped = defineEvent({ type: 'test.case.shipped', version: 1, schema: key, subject: (d) => d.key });
const Refunded = defineEvent({ type: 'test.case.refunded', version: 1, schema: key, subject: (d) => d.key });
const Charge = defineCommand({ type: 'test.case.charge', version: 1, schema: z.object({ key: z.string(), amount: z.number() }), target: (d) => d.key });

type CaseData = { amount: number; charged?: string };

/** Approved within `approveMs` or cancelled; a rejected charge cancels with a refund event. */
function caseFlow(approveMs: number, failOnce?: { done: boolean }) {
  return defineWorkflow<CaseData>('case', (w) => ({
    start: w.start(Opened, {
      to: 'Open',
      data: (e) => ({ amount: e.data.amount }),
      run: async (e, step) => {
        const c = await step.send(Charge, { key: step.key, amount: e.data.amount });
        return { ...step.data, amount: e.data.amount, charged: c.id };
      },
    }),
    states: {
      Open: {
        on: [
          w.on(Approved, {
            to: 'Approved',
            run: async (_e, step) => {
              if (failOnce && !failOnce.done) {
                failOnce.done = true;
                throw new Error('store hiccup');
              }
              await step.publish(Shipped, { key: step.key });
            },
          }),
          w.rejected(Charge, { to: 'Cancelled', run: async (_e, step) => void (await step.publish(Refunded, { key: step.key })) }),
        ],
        timers: [w.after('approval', approveMs, { to: 'Cancelled' })],
      },
      Approved: { terminal: true },
      Cancelled: { terminal: true },
    },
  }));
}

const fast = { attempts: 5, initialDelayMs: 10, maxDelayMs: 20, jitter: 0 };

/** Workflows: transitions as store handlers, with history, timers and compensation. */
export function workflowContract<Db>(subject: ContractSubject<Db>): void {
  it('runs instances to terminal states: each transition once in the history, with what it emitted', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { scheduledPollMs: 5 });
    const failOnce = { done: false };
    app.workflow(caseFlow(60_000, failOnce), { retry: fast });
    const shipped: string[] = [];
    app.consumer('ship').on(Shipped, (e) => void shipped.push(e.data.key));
    app.consumer('billing').handle(Charge, () => undefined);
    await app.start();
    try {
      await app.publish(Opened, { key: 'c1', amount: 5 });
      await eventually('c1 open', async () => (await app.engine.admin.workflow('case', 'c1'))?.instance.state === 'Open');
      await app.publish(Approved, { key: 'c1' });
      await eventually('c1 approved', async () => (await app.engine.admin.workflow('case', 'c1'))?.instance.done);
      const view = await showWorkflow(app.engine, 'case', 'c1', Date.now());
      expect(view.instance).toMatchObject({ state: 'Approved', done: true, data: { amount: 5 } });
      expect(view.history.map((h) => [h.n, h.kind, h.from ?? null, h.to, h.emitted.map((e) => e.type)])).toEqual([
        [1, 'started', null, 'Open', ['test.case.charge']],
        [2, 'transition', 'Open', 'Approved', ['test.case.shipped']],
      ]);
      expect(view.history[0]!.timersSet.map((t) => t.name)).toEqual(['approval']);
      expect(view.history[1]!.timersCancelled).toEqual([view.history[0]!.timersSet[0]!.id]);
      expect(view.timers).toEqual([]);
      expect(await app.engine.admin.scheduled({ key: 'c1' })).toEqual([]);
      await eventually('shipped', () => shipped.length === 1);
      await eventually('charge accepted', async () => (await showWorkflow(app.engine, 'case', 'c1', Date.now())).awaiting.length === 0);
      await new Promise((r) => setTimeout(r, 150));
      expect(shipped).toEqual(['c1']);
    } finally {
      await app.stop();
    }
  });

  it('fires a timer as a transition once, and records a later event as unexpected, never dropped', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { scheduledPollMs: 5 });
    app.workflow(caseFlow(30));
    app.consumer('billing').handle(Charge, () => undefined);
    await app.start();
    try {
      await app.publish(Opened, { key: 'c2', amount: 5 });
      await eventually('c2 cancelled by its timer', async () => (await app.engine.admin.workflow('case', 'c2'))?.instance.state === 'Cancelled');
      await app.publish(Approved, { key: 'c2' });
      await eventually('the late approval recorded', async () => (await app.engine.admin.workflow('case', 'c2'))!.history.length === 3);
      const { instance, history } = (await app.engine.admin.workflow('case', 'c2'))!;
      expect(instance.state).toBe('Cancelled');
      expect(history.map((h) => [h.kind, h.eventType, h.timer ?? null, h.to ?? null])).toEqual([
        ['started', 'test.case.opened', null, 'Open'],
        ['transition', 'factline.workflow.timer', 'approval', 'Cancelled'],
        ['unexpected', 'test.case.approved', null, null],
      ]);
    } finally {
      await app.stop();
    }
  });

  it('takes a rejected command as a transition: the compensation runs once', async () => {
    const open = await subject.freshStore();
    const app = testApp(open(), { scheduledPollMs: 5 });
    app.workflow(caseFlow(60_000));
    const refunds: string[] = [];
    app.consumer('billing').handle(Charge, (c) => {
      if (c.data.amount > 100) throw new CommandRejection('limit exceeded');
    });
    app.consumer('refunds').on(Refunded, (e) => void refunds.push(e.data.key));
    await app.start();
    try {
      await app.publish(Opened, { key: 'c3', amount: 500 });
      await eventually('c3 cancelled', async () => (await app.engine.admin.workflow('case', 'c3'))?.instance.state === 'Cancelled');
      await eventually('refund handled', () => refunds.length === 1);
      const view = await showWorkflow(app.engine, 'case', 'c3', Date.now());
      expect(view.commands.map((c) => [c.type, c.outcome.status])).toEqual([['test.case.charge', 'rejected']]);
      expect(view.history.map((h) => h.eventType)).toEqual(['test.case.opened', 'factline.command.rejected']);
      await new Promise((r) => setTimeout(r, 150));
      expect(refunds).toEqual(['c3']);
    } finally {
      await app.stop();
    }
  });

  it('prints its state machine as a Mermaid diagram', () => {
    expect(caseFlow(30_000).mermaid()).toBe([
      'stateDiagram-v2',
      '  [*] --> Open: test.case.opened',
      '  Open --> Approved: test.case.approved',
      '  Open --> Cancelled: test.case.charge rejected',
      '  Open --> Cancelled: after 30 s (approval)',
      '  Approved --> [*]',
      '  Cancelled --> [*]',
    ].join('\n'));
  });
}
