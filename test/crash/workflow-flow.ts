import { z } from 'zod';
import { CommandRejection, defineCommand, defineEvent, defineWorkflow, type Factline } from '../../src/index.js';
import type { ChildStore } from './child-store.js';

/**
 * The workflow of the crash test: Pending -> Paid -> Reserved -> Confirmed, or Cancelled by a
 * rejection or a timer, with a refund (compensation) once payment went through. Every
 * transition writes an effect row `t <key> <entry>` in its own transaction and every refund a
 * row `refund <key>`: a transition or a refund applied twice shows as two rows.
 */
const order = z.object({ key: z.string(), n: z.number().int() });
export const CrashOrderPlaced = defineEvent({ type: 'crash.order.placed', version: 1, schema: order, subject: (d) => d.key });
const Paid = defineEvent({ type: 'crash.order.paid', version: 1, schema: order, subject: (d) => d.key });
const Reserved = defineEvent({ type: 'crash.order.reserved', version: 1, schema: order, subject: (d) => d.key });
const Captured = defineEvent({ type: 'crash.order.captured', version: 1, schema: order, subject: (d) => d.key });
const Pay = defineCommand({ type: 'crash.order.pay', version: 1, schema: order, target: (d) => d.key });
const Reserve = defineCommand({ type: 'crash.order.reserve', version: 1, schema: order, target: (d) => d.key });
const Capture = defineCommand({ type: 'crash.order.capture', version: 1, schema: order, target: (d) => d.key });
const Refund = defineCommand({ type: 'crash.order.refund', version: 1, schema: order, target: (d) => d.key });

/** Which instances take which way (by their number): declined, never paid (timer), out of stock, never captured (timer). */
export const path = {
  declined: (n: number) => n % 7 === 3,
  unpaid: (n: number) => n % 11 === 5,
  noStock: (n: number) => n % 13 === 4,
  uncaptured: (n: number) => n % 17 === 6,
};

/** Transitions allowed by the definition, `from>to`. */
export const ALLOWED = new Set([
  '>Pending', 'Pending>Paid', 'Pending>Cancelled', 'Paid>Reserved', 'Paid>Cancelled', 'Reserved>Confirmed', 'Reserved>Cancelled',
]);
export const TERMINAL = new Set(['Confirmed', 'Cancelled']);

type Data = { n: number };

export function crashWorkflow(store: ChildStore, member: string, timerMs: number) {
  const mark = (db: unknown, key: string, n: number, what: string) => store.writeEffect(db, { eventId: what, key, n, member });
  return defineWorkflow<Data>('crash-order', (w) => ({
    start: w.start(CrashOrderPlaced, {
      to: 'Pending',
      data: (e) => ({ n: e.data.n }),
      run: async (e, s) => {
        await mark(s.db, s.key, e.data.n, `t ${s.key} Pending`);
        await s.send(Pay, { key: s.key, n: e.data.n });
      },
    }),
    states: {
      Pending: {
        on: [
          w.on(Paid, { to: 'Paid', run: async (_e, s) => { await mark(s.db, s.key, s.data.n, `t ${s.key} Paid`); await s.send(Reserve, { key: s.key, n: s.data.n }); } }),
          w.rejected(Pay, { to: 'Cancelled', run: async (_e, s) => mark(s.db, s.key, s.data.n, `t ${s.key} Cancelled`) }),
        ],
        timers: [w.after('pay', timerMs, { to: 'Cancelled', run: async (_e, s) => mark(s.db, s.key, s.data.n, `t ${s.key} Cancelled`) })],
      },
      Paid: {
        on: [
          w.on(Reserved, { to: 'Reserved', run: async (_e, s) => { await mark(s.db, s.key, s.data.n, `t ${s.key} Reserved`); await s.send(Capture, { key: s.key, n: s.data.n }); } }),
          w.rejected(Reserve, { to: 'Cancelled', run: async (_e, s) => { await mark(s.db, s.key, s.data.n, `t ${s.key} Cancelled`); await s.send(Refund, { key: s.key, n: s.data.n }); } }),
        ],
        timers: [w.after('reserve', timerMs, { to: 'Cancelled', run: async (_e, s) => { await mark(s.db, s.key, s.data.n, `t ${s.key} Cancelled`); await s.send(Refund, { key: s.key, n: s.data.n }); } })],
      },
      Reserved: {
        on: [w.on(Captured, { to: 'Confirmed', run: async (_e, s) => mark(s.db, s.key, s.data.n, `t ${s.key} Confirmed`) })],
        timers: [w.after('capture', timerMs, { to: 'Cancelled', run: async (_e, s) => { await mark(s.db, s.key, s.data.n, `t ${s.key} Cancelled`); await s.send(Refund, { key: s.key, n: s.data.n }); } })],
      },
      Confirmed: { terminal: true },
      Cancelled: { terminal: true },
    },
  }));
}

/** The services: the one handler of each command. */
export function registerCrashServices(app: Factline<unknown>, store: ChildStore, member: string, options: Parameters<Factline<unknown>['consumer']>[1], group = 'crash-services'): void {
  app.consumer(group, options)
    .handle(Pay, async (c, ctx) => {
      if (path.declined(c.data.n)) {
        // Written before the rejection, so it commits with it: a rejection handled twice shows as two rows.
        await store.writeEffect(ctx.db, { eventId: `declined ${c.data.key}`, key: c.data.key, n: c.data.n, member });
        throw new CommandRejection('declined');
      }
      if (!path.unpaid(c.data.n)) await ctx.publish(Paid, c.data);
    })
    .handle(Reserve, async (c, ctx) => {
      if (path.noStock(c.data.n)) throw new CommandRejection('out of stock');
      await ctx.publish(Reserved, c.data);
    })
    .handle(Capture, async (c, ctx) => {
      if (!path.uncaptured(c.data.n)) await ctx.publish(Captured, c.data);
    })
    .handle(Refund, async (c, ctx) => store.writeEffect(ctx.db, { eventId: `refund ${c.data.key}`, key: c.data.key, n: c.data.n, member }));
}
