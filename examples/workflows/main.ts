// A workflow: an order that is paid within a time limit or cancelled, as a state machine over the log.
// Runs as it is, in a clone:
//   npx tsx --conditions=factline-source examples/workflows/main.ts
import { z } from 'zod';
import { CommandRejection, createFactline, defineCommand, defineEvent, defineWorkflow, showWorkflow } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

// #region workflow
const OrderPlaced = defineEvent({ type: 'shop.order.placed', version: 1, schema: z.object({ orderId: z.string(), total: z.number() }), subject: (d) => d.orderId });
const PaymentAuthorized = defineEvent({ type: 'shop.payment.authorized', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => d.orderId });
const OrderConfirmed = defineEvent({ type: 'shop.order.confirmed', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => d.orderId });
const AuthorizePayment = defineCommand({ type: 'shop.payment.authorize', version: 1, schema: z.object({ orderId: z.string(), amount: z.number() }), target: (d) => d.orderId });
const ReleaseHold = defineCommand({ type: 'shop.payment.release', version: 1, schema: z.object({ orderId: z.string() }), target: (d) => d.orderId });

const checkout = defineWorkflow<{ total: number }>('checkout', (w) => ({
  // An instance per order: keyed by the partition key of the events it reacts to (the order id).
  start: w.start(OrderPlaced, {
    to: 'AwaitingPayment',
    data: (e) => ({ total: e.data.total }),
    run: async (e, step) => void (await step.send(AuthorizePayment, { orderId: step.key, amount: e.data.total })),
  }),
  states: {
    AwaitingPayment: {
      on: [
        w.on(PaymentAuthorized, { to: 'Confirmed', run: async (_e, step) => void (await step.publish(OrderConfirmed, { orderId: step.key })) }),
        w.rejected(AuthorizePayment, { to: 'Cancelled' }),
      ],
      // Set on entering the state, cancelled on leaving it; firing is a transition like an event.
      timers: [w.after('payment', 300, { to: 'Cancelled', run: async (_e, step) => void (await step.send(ReleaseHold, { orderId: step.key })) })],
    },
    Confirmed: { terminal: true },
    Cancelled: { terminal: true },
  },
}));
// #endregion

const app = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'shop/checkout' });
app.workflow(checkout);
app.consumer('payments')
  .handle(AuthorizePayment, async (cmd, ctx) => {
    if (cmd.data.amount > 1000) throw new CommandRejection('over the card limit');
    if (cmd.data.amount === 13) return;                       // the provider never answers: the timer cancels the order
    await ctx.publish(PaymentAuthorized, { orderId: cmd.data.orderId });
  })
  .handle(ReleaseHold, () => undefined);
await app.start();

await app.publish(OrderPlaced, { orderId: 'o-1', total: 40 });
await app.publish(OrderPlaced, { orderId: 'o-2', total: 5000 });
await app.publish(OrderPlaced, { orderId: 'o-3', total: 13 });
for (;;) {
  const running = await app.engine.admin.workflows({ name: 'checkout', running: true });
  if (running.length === 0 && (await app.engine.admin.workflowCounts()).reduce((n, c) => n + c.count, 0) === 3) break;
  await new Promise((r) => setTimeout(r, 50));
}
for (const key of ['o-1', 'o-2', 'o-3']) {
  const view = await showWorkflow(app.engine, 'checkout', key, Date.now());
  console.log(`${key}: ${view.history.map((h) => h.to ?? h.kind).join(' -> ')}  (${view.history.map((h) => h.timer ? `timer ${h.timer}` : h.eventType).join(', ')})`);
}
console.log(checkout.mermaid());
await app.stop();
