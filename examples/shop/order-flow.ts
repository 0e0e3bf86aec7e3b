import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ConsumerOptions, Engine, Factline } from 'factline';
import { CATALOG } from './orders.js';
import { createOrderServiceTables, demoPaymentProvider, registerOrderServices } from './order-services.js';
import { DEMO_TIMEOUTS, orderWorkflow } from './order-workflow.js';
import { shopSql } from './sql.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FLOW_GROUPS = ['workflow.order', 'payments', 'warehouse'];

/** Adds the order workflow and the payment and warehouse services to the demo app. */
export async function setUpOrderFlow(app: Factline<unknown>, options: ConsumerOptions): Promise<void> {
  await app.transaction(async (tx) => createOrderServiceTables(shopSql(tx.db), Object.fromEntries(Object.entries(CATALOG).map(([k, v]) => [k, v.stock]))));
  app.workflow(orderWorkflow(DEMO_TIMEOUTS), options);
  registerOrderServices(app, demoPaymentProvider(DEMO_TIMEOUTS.paymentMs + 1000), options);
}

/** True once every order instance is terminal and the flow's groups are at the head of the log. */
export async function orderFlowSettled(engine: Engine): Promise<boolean> {
  const status = (await engine.admin.status()).filter((s) => FLOW_GROUPS.includes(s.group));
  if (status.some((s) => s.position < s.head || s.parked > 0)) return false;
  return (await engine.admin.workflows({ name: 'order', running: true, limit: 1 })).length === 0;
}

/** Instances per state, and one confirmed and one cancelled order to show (the latest of each). */
export async function orderFlowSummary(engine: Engine): Promise<{ lines: string[]; confirmed?: string; cancelled?: string }> {
  const counts = (await engine.admin.workflowCounts()).filter((c) => c.name === 'order');
  const [confirmed] = await engine.admin.workflows({ name: 'order', state: 'OrderConfirmed', limit: 1 });
  const [cancelled] = await engine.admin.workflows({ name: 'order', state: 'OrderCancelled', limit: 1 });
  const refunds = await engine.transaction(async (tx) => Number((await shopSql(tx.db).all<{ n: number | string }>('select count(*) as n from refunds'))[0]?.n ?? 0));
  return {
    lines: [
      `  order workflow: ${counts.map((c) => `${c.count} ${c.state}`).join(', ') || 'no instances'}; ${refunds} payment${refunds === 1 ? '' : 's'} refunded by compensation`,
    ],
    ...(confirmed ? { confirmed: confirmed.key } : {}),
    ...(cancelled ? { cancelled: cancelled.key } : {}),
  };
}

/** Runs `factline workflow show order <key>` on the demo's log and returns what it prints. */
export function showOrder(cliTarget: string, key: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'factline.js'), 'workflow', 'show', 'order', key, ...cliTarget.split(' ')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trimEnd() : `(factline workflow show failed: ${r.stderr.trim()})`;
}
