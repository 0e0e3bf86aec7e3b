import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createFactline, defineEvent, NonRetryableError, type Factline } from '../../src/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';

/** A real Factline app over a real SQLite file, whose `fraud` group dead-letters the orders marked bad. */

export const OrderPlaced = defineEvent({
  type: 'test.order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), bad: z.boolean() }),
  subject: (d) => d.orderId,
});

export const ROOT = join(import.meta.dirname, '..', '..');

export function freshFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'factline-cli-')), `${name}.db`);
}

/** Handler calls of one app run, by group and order id. */
export type Calls = Record<'billing' | 'fraud', string[]>;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export function shopApp(file: string, opts: { fixed: boolean; calls: Calls }): Factline<SqliteDb> {
  const app = createFactline({ engine: sqliteEngine({ file }), source: 'test/orders', partitions: 4, logger: quiet });
  app.consumer('billing', { pollMs: 20 }).on(OrderPlaced, (e, ctx) => {
    opts.calls.billing.push(e.data.orderId);
    ctx.db.prepare('insert into billed (order_id) values (?)').run(e.data.orderId);
  });
  app.consumer('fraud', { pollMs: 20, retry: { attempts: 2, initialDelayMs: 5 } }).on(OrderPlaced, (e, ctx) => {
    opts.calls.fraud.push(e.data.orderId);
    if (e.data.bad && !opts.fixed) throw new NonRetryableError(`order ${e.data.orderId}: no risk profile for its country`);
    ctx.db.prepare('insert into checked (order_id) values (?)').run(e.data.orderId);
  });
  return app;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True when every group is at the head of every partition with nothing parked. */
export async function caughtUp(app: Factline<SqliteDb>, groups: number): Promise<boolean> {
  const status = await app.engine.admin.status();
  return status.length === groups * 4 && status.every((s) => s.position === s.head && s.parked === 0);
}

/** Publishes `orders` orders (those in `bad` dead-letter in fraud) and runs until all are handled. */
export async function prepareLog(file: string, orders: number, bad: readonly number[]): Promise<Calls> {
  const calls: Calls = { billing: [], fraud: [] };
  const app = shopApp(file, { fixed: false, calls });
  await app.transaction(async (tx) => {
    tx.db.exec('create table billed (order_id text not null); create table checked (order_id text not null)');
  });
  await app.start();
  for (let i = 1; i <= orders; i++) await app.publish(OrderPlaced, { orderId: `ord-${i}`, bad: bad.includes(i) });
  await waitUntil('the first run to settle', async () => (await caughtUp(app, 2)) && (await app.engine.admin.listDeadLetters({})).length === bad.length);
  await app.stop();
  return calls;
}

/** Runs the fixed app until every group caught up; returns the calls of this run. */
export async function drain(file: string): Promise<Calls> {
  const calls: Calls = { billing: [], fraud: [] };
  const app = shopApp(file, { fixed: true, calls });
  await app.start();
  await waitUntil('the fixed run to catch up', () => caughtUp(app, 2));
  await app.stop();
  return calls;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `factline` command in a child process. */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'factline.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, FACTLINE_DB: '', FACTLINE_URL: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `factline` in the background (for `tail`). */
export function cliProcess(args: readonly string[]) {
  return spawn(process.execPath, [join(ROOT, 'bin', 'factline.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}
