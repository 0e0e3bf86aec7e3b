// Commands: one handler in the system, a rejection that is an outcome, a scheduled command.
// Runs as it is, in a clone:
//   npx tsx --conditions=factline-source examples/commands/main.ts
import { z } from 'zod';
import { CommandRejection, createFactline, defineCommand } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

// #region commands
const ReserveStock = defineCommand({
  type: 'shop.stock.reserve', version: 1,
  schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
  target: (d) => d.orderId,                       // the entity it is for: its subject and partition key
});

const app = createFactline({ engine: sqliteEngine({ file: ':memory:' }), source: 'shop/warehouse' });
const stock = new Map([['mug', 3]]);

// The one handler of the command in the whole system. Returning accepts it; throwing
// CommandRejection rejects it (an outcome, never retried); any other error is a failure
// (retried, then a dead letter).
app.consumer('warehouse').handle(ReserveStock, (cmd) => {
  const left = stock.get(cmd.data.sku) ?? 0;
  if (left < cmd.data.quantity) throw new CommandRejection(`only ${left} ${cmd.data.sku} left`);
  stock.set(cmd.data.sku, left - cmd.data.quantity);
});

await app.start();
const first = await app.send(ReserveStock, { orderId: 'o-1', sku: 'mug', quantity: 2 });
const second = await app.send(ReserveStock, { orderId: 'o-2', sku: 'mug', quantity: 2 });
console.log('o-1:', (await app.outcome(first.id)).status);                      // accepted
const rejected = await app.outcome(second.id);
console.log('o-2:', rejected.status, rejected.status === 'rejected' ? rejected.reason : '');   // rejected only 1 mug left

// A command (or an event) delivered later; cancellable by its id until it is due.
const later = await app.schedule(ReserveStock, { orderId: 'o-3', sku: 'mug', quantity: 1 }, { delayMs: 200 });
const never = await app.schedule(ReserveStock, { orderId: 'o-4', sku: 'mug', quantity: 1 }, { delayMs: 60_000 });
console.log('cancelled o-4:', await app.cancelScheduled(never.id));              // true
console.log('o-3:', (await app.outcome(later.id)).status);                      // accepted, about 200 ms later
// #endregion
await app.stop();
