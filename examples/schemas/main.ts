// Evolving an event safely: v1 in production, v2 added with an upcaster, a breaking v3 refused
// while a live group handles v2, then the registry of the log.
//
//   npx tsx --conditions=factline-source examples/schemas/main.ts [file.db]   (in a clone of the repository)
//   npx tsx node_modules/factline/examples/schemas/main.ts [file.db]          (in a project that installed factline)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { compareSchemas, createFactline, defineEvent, jsonSchemaOf, SchemaConflictError } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

const file = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'factline-schemas-')), 'shop.db');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = (source: string) => createFactline({ engine: sqliteEngine({ file }), source, logger: quiet });

// Step 1: version 1 is in production.
const OrderPlacedV1 = defineEvent({
  type: 'shop.order.placed', version: 1,
  schema: z.object({ orderId: z.string(), total: z.number() }),
  subject: (d) => d.orderId,
});
const orders = app('shop/orders');
await orders.publish(OrderPlacedV1, { orderId: 'o-1', total: 42 });
await orders.stop();

// Step 2: version 2 adds the currency. Check it before anyone deploys it...
const OrderPlaced = defineEvent({
  type: 'shop.order.placed', version: 2,
  schema: z.object({ orderId: z.string(), total: z.number(), currency: z.string().default('EUR') }),
  subject: (d) => d.orderId,
  from: OrderPlacedV1,
  upcast: (v1) => ({ ...v1, currency: 'EUR' }),   // every v1 order was in euros
});
const breaks = compareSchemas(jsonSchemaOf(OrderPlacedV1), jsonSchemaOf(OrderPlaced), 'FULL');
console.log(`v1 -> v2 under FULL: ${breaks.length === 0 ? 'compatible' : breaks.map((b) => b.message).join('; ')}`);

// ...then upgrade the consumers first: their v2 handler gets the stored v1 order upcast.
const billing = app('shop/billing');
const billed: string[] = [];
billing.consumer('billing').on(OrderPlaced, (event) => {
  billed.push(`${event.data.orderId} ${event.data.total} ${event.data.currency} (published as v${event.dataversion})`);
});
await billing.start();
const producer = app('shop/orders');
await producer.publish(OrderPlaced, { orderId: 'o-2', total: 10, currency: 'NOK' });
while (billed.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
console.log(`billing handled: ${billed.join('; ')}`);

// Step 3: a v3 that consumers of v2 cannot read is refused while billing (v2) is live.
const OrderPlacedV3 = defineEvent({
  type: 'shop.order.placed', version: 3,
  schema: z.object({ orderId: z.string(), total: z.number(), currency: z.string(), channel: z.enum(['web', 'store']) }),
  subject: (d) => d.orderId,
  from: OrderPlaced,
  upcast: (v2) => ({ ...v2, channel: 'web' as const }),
});
try {
  await producer.publish(OrderPlacedV3, { orderId: 'o-3', total: 5, currency: 'EUR', channel: 'store' });
} catch (err) {
  if (!(err instanceof SchemaConflictError)) throw err;
  console.log(`refused (${err.code}): ${err.breaks.map((b) => `${b.path}: ${b.rule}`).join(', ')}`);
}

// Step 4: the registry in the log (also: npx factline schema list --db <file>).
for (const s of await producer.engine.admin.schemas()) {
  console.log(`registry: ${s.type} v${s.version} ${s.compatibility} ${s.fingerprint.slice(0, 15)}... registered by ${s.registeredBy}`);
}
await producer.stop();
await billing.stop();
console.log(`log: ${file}`);
