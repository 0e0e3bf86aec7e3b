import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createFactline, defineCommand, defineEvent, defineWorkflow, type CommandOutcome } from '../src/index.js';
import { sqliteEngine, type SqliteDb } from '../src/engines/sqlite/index.js';

const Reserve = defineCommand({ type: 'shop.stock.reserve', version: 1, schema: z.object({ orderId: z.string(), quantity: z.number() }), target: (d) => d.orderId });
const Placed = defineEvent({ type: 'shop.order.placed', version: 1, schema: z.object({ orderId: z.string(), total: z.number() }), subject: (d) => d.orderId });

describe('types of commands and workflows', () => {
  const app = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'shop/orders' });

  it('types a command handler and send from the schema', () => {
    app.consumer('stock').handle(Reserve, (cmd, ctx) => {
      expectTypeOf(cmd.data).toEqualTypeOf<{ orderId: string; quantity: number }>();
      expectTypeOf(ctx.db).toEqualTypeOf<SqliteDb>();
    });
    // @ts-expect-error quantity is required
    void app.send(Reserve, { orderId: 'o1' });
    // @ts-expect-error an event is published, not sent
    void app.send(Placed, { orderId: 'o1', total: 1 });
    // @ts-expect-error a command is sent, not published
    void app.publish(Reserve, { orderId: 'o1', quantity: 1 });
    expectTypeOf(app.outcome('id')).resolves.toEqualTypeOf<CommandOutcome>();
  });

  it('types a workflow step\'s data and event from the definitions', () => {
    defineWorkflow<{ total: number }>('order', (w) => ({
      start: w.start(Placed, {
        to: 'Open',
        data: (e) => {
          expectTypeOf(e.data).toEqualTypeOf<{ orderId: string; total: number }>();
          return { total: e.data.total };
        },
        run: async (_e, step) => {
          expectTypeOf(step.data).toEqualTypeOf<{ total: number }>();
          await step.send(Reserve, { orderId: step.key, quantity: 1 });
          // @ts-expect-error the command's data
          await step.send(Reserve, { orderId: step.key });
        },
      }),
      states: { Open: { terminal: true } },
    }));
  });
});
