/**
 * How long `engine.admin.trace()` takes on a large SQLite log:
 *   npx tsx --conditions=factline-source bench/trace-lookup.ts [--events 1000000] [--lookups 500]
 * Builds the log in a temporary directory (flows of 5 events: an order and 4 events published
 * while handling it, the same correlation id; 1,000 events per transaction), marks every event
 * handled by two groups (their inbox rows and positions, as after a run), then times lookups of
 * random flows by event id, by correlation id and by subject. Prints the machine and the times.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { createFactline, defineEvent } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, lookups: { type: 'string', default: '500' } } });
const EVENTS = Number(values.events);
const LOOKUPS = Number(values.lookups);
const FLOW = 5;
const Happened = defineEvent({ type: 'bench.flow.step', version: 1, schema: z.object({ orderId: z.string(), step: z.number() }), subject: (d) => d.orderId });

const dir = mkdtempSync(join(tmpdir(), 'factline-trace-bench-'));
const file = join(dir, 'log.db');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = createFactline({ engine: sqliteEngine({ file, synchronous: 'normal' }), source: 'bench/orders', partitions: 16, logger: quiet, telemetry: false });
const built = performance.now();
const flows = Math.floor(EVENTS / FLOW);
const ids: string[] = [];
for (let f = 0; f < flows; f += 1000 / FLOW) {
  const entries = [];
  for (let k = f; k < Math.min(flows, f + 1000 / FLOW); k++) {
    const orderId = `order-${k}`;
    for (let step = 0; step < FLOW; step++) entries.push({ event: Happened, data: { orderId, step }, options: { correlationId: `corr-${k}` } });
  }
  const stored = await app.publishAll(entries);
  ids.push(stored[0]!.id);
}
await app.engine.declareHandlers('billing', 'bench', [{ type: Happened.type, version: 1, kind: 'event' }]);
await app.engine.declareHandlers('audit', 'bench', [{ type: Happened.type, version: 1, kind: 'event' }]);
await app.stop();
// Both groups handled everything: inbox rows and positions as a run would leave them.
const db = new Database(file);
for (const grp of ['billing', 'audit']) {
  db.prepare('insert into factline_inbox (grp, id, source, handled_at) select ?, id, source, time from factline_events').run(grp);
  db.prepare('insert into factline_positions (grp, partition, position) select ?, partition, head from factline_partitions').run(grp);
}
db.close();
const buildSeconds = (performance.now() - built) / 1000;

const reader = createFactline({ engine: sqliteEngine({ file }), source: 'bench/orders', partitions: 16, logger: quiet, telemetry: false });
await reader.transaction(async () => undefined); // opens the log
const admin = reader.engine.admin;
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

async function time(label: string, query: (k: number) => string): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const k = Math.floor(random() * ids.length * (1000 / FLOW)) % flows;
    const q = query(k);
    const t0 = performance.now();
    const trace = await admin.trace(q);
    ms.push(performance.now() - t0);
    if (trace.events.length !== FLOW || trace.verdict.state !== 'complete') throw new Error(`${label} ${q}: ${trace.events.length} events, ${trace.verdict.state}`);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(2);
  console.log(`  by ${label.padEnd(14)} median ${at(0.5)} ms  p99 ${at(0.99)} ms  max ${at(1)} ms  (${LOOKUPS} lookups, ${FLOW} events x 2 groups each)`);
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`);
console.log(`log: ${flows * FLOW} events in ${flows} flows, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB, built in ${buildSeconds.toFixed(0)} s`);
await time('event id', (k) => ids[Math.floor(k / (1000 / FLOW))]!);
await time('correlation id', (k) => `corr-${k}`);
await time('subject', (k) => `order-${k}`);
await reader.stop();
rmSync(dir, { recursive: true, force: true });
