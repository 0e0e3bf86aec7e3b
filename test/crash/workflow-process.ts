/**
 * A member of the workflow crash test: runs the workflow `crash-order` and its services (the one
 * handler of each command). The test SIGKILLs it at random moments and starts it again.
 *
 * Environment: see child-store.ts, plus CRASH_NAME, CRASH_LEASE_MS, CRASH_HEARTBEAT_MS and
 * CRASH_TIMER_MS (the workflow's timers). stdout: {"ready":true,"pid":...} once started.
 * CRASH_SERVICES_GROUP: another group name for the services (a second handler of their
 * commands): start() is refused, the process prints {"refused":code} and exits with 3.
 */
import { createFactline } from '../../src/index.js';
import { CRASH_PARTITIONS } from './crash-event.js';
import { openChildStore, required } from './child-store.js';
import { crashWorkflow, registerCrashServices } from './workflow-flow.js';

const name = required(process.env, 'CRASH_NAME');
const store = openChildStore();
const app = createFactline({ engine: store.engine, source: 'crash/workflow', partitions: CRASH_PARTITIONS, scheduledPollMs: 20 });
const options = {
  leaseTtlMs: Number(required(process.env, 'CRASH_LEASE_MS')),
  heartbeatMs: Number(required(process.env, 'CRASH_HEARTBEAT_MS')),
  pollMs: 20,
  batchSize: 100,
  retry: { attempts: 8, initialDelayMs: 50, maxDelayMs: 200 },
};
const servicesGroup = process.env.CRASH_SERVICES_GROUP;
if (servicesGroup) {
  registerCrashServices(app, store, name, options, servicesGroup);
  const err = await app.start().then(() => undefined, (e: unknown) => e as { code?: string });
  process.stdout.write(`${JSON.stringify({ refused: err?.code ?? null })}\n`);
  await app.stop();
  process.exit(err ? 3 : 0);
}
app.workflow(crashWorkflow(store, name, Number(required(process.env, 'CRASH_TIMER_MS'))), options);
registerCrashServices(app, store, name, options);
await app.start();
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
