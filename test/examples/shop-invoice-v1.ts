// Run with tsx --conditions=factline-source (the shop's modules import 'factline'): an invoice
// stored as v1 reaches the shop's v2 handler upcast. Prints what the handler received, as JSON.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFactline } from 'factline';
import { sqliteEngine } from 'factline/sqlite';
import { InvoiceIssued, InvoiceIssuedV1 } from '../../examples/shop/events.js';

const file = join(mkdtempSync(join(tmpdir(), 'factline-shop-v1-')), 'shop.db');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const old = createFactline({ engine: sqliteEngine({ file }), source: 'shop/billing', logger: quiet });
await old.publish(InvoiceIssuedV1, { invoiceId: 'inv-1', orderId: 'o-1', email: 'a@example.com', amount: 500 });
await old.stop();
const seen: unknown[] = [];
const app = createFactline({ engine: sqliteEngine({ file }), source: 'shop/billing', logger: quiet });
app.consumer('email').on(InvoiceIssued, (e) => void seen.push({ version: e.dataversion, data: e.data }));
await app.start();
const deadline = Date.now() + 20_000;
while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
await app.stop();
console.log(JSON.stringify(seen));
