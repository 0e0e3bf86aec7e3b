/**
 * Workflow throughput (Factline only): instances per second through four transitions. Each
 * instance is started by one event; every transition is a store handler that loads the
 * instance, commits its new state, a history entry and the event that drives the next
 * transition, with its inbox row. The clock runs from the first start event published to the
 * last instance terminal; every instance is checked terminal with four history entries.
 */
import { z } from 'zod';
import { createFactline, defineEvent, defineWorkflow } from 'factline';
import { dropLog, openEngine } from '../factline/engine-spec.js';
import { PARTITIONS } from '../factline/event.js';
import { now, perSecond, sleep } from '../measure.js';
import type { BenchSettings } from '../settings.js';
import type { BenchSystem } from '../system.js';

export interface WorkflowResult {
  instances: number;
  transitions: number;
  elapsedMs: number;
  /** The headline: instances per second, start event to terminal state. */
  perSec: number;
  transitionsPerSec: number;
  complete: boolean;
}

const key = z.object({ id: z.string() });
const Started = defineEvent({ type: 'bench.flow.started', version: 1, schema: key, subject: (d) => d.id });
const Checked = defineEvent({ type: 'bench.flow.checked', version: 1, schema: key, subject: (d) => d.id });
const Packed = defineEvent({ type: 'bench.flow.packed', version: 1, schema: key, subject: (d) => d.id });
const Shipped = defineEvent({ type: 'bench.flow.shipped', version: 1, schema: key, subject: (d) => d.id });

/** Four transitions: start -> Checking -> Packing -> Shipping -> Done; each run publishes the next event. */
const flow = defineWorkflow<{ step: number }>('bench', (w) => ({
  start: w.start(Started, { to: 'Checking', data: () => ({ step: 1 }), run: async (_e, s) => void (await s.publish(Checked, { id: s.key })) }),
  states: {
    Checking: { on: [w.on(Checked, { to: 'Packing', run: async (_e, s) => void (await s.publish(Packed, { id: s.key })) })] },
    Packing: { on: [w.on(Packed, { to: 'Shipping', run: async (_e, s) => void (await s.publish(Shipped, { id: s.key })) })] },
    Shipping: { on: [w.on(Shipped, { to: 'Done' })] },
    Done: { terminal: true },
  },
}));

export async function workflowThroughput(system: BenchSystem, s: BenchSettings): Promise<WorkflowResult> {
  const spec = system.freshLog!();
  const app = createFactline({ engine: openEngine(spec), source: 'bench/workflow', partitions: PARTITIONS });
  app.workflow(flow, { batchSize: 1000, pollMs: 10 });
  try {
    await app.start();
    const n = s.workflowInstances;
    const t0 = now();
    for (let i = 0; i < n; i += 1000) {
      await app.publishAll(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ event: Started, data: { id: `w${i + k}` } })));
    }
    const deadline = Date.now() + s.scenarioTimeoutMs;
    let done = 0;
    for (;;) {
      done = (await app.engine.admin.workflowCounts()).filter((c) => c.done).reduce((sum, c) => sum + c.count, 0);
      if (done >= n || Date.now() > deadline) break;
      await sleep(20);
    }
    const elapsedMs = now() - t0;
    const sample = await app.engine.admin.workflow('bench', 'w0');
    return {
      instances: done, transitions: done * 4, elapsedMs, perSec: perSecond(done, elapsedMs), transitionsPerSec: perSecond(done * 4, elapsedMs),
      complete: done === n && sample?.history.length === 4,
    };
  } finally {
    await app.stop();
    await dropLog(spec);
  }
}
