import { expect } from 'vitest';
import { createFactline } from '../../src/index.js';
import type { WorkflowHistoryRecord } from '../../src/index.js';
import { Child, eventually } from './children.js';
import { CRASH_PARTITIONS } from './crash-event.js';
import type { CrashStore } from './crash-target.js';
import { ALLOWED, CrashOrderPlaced, TERMINAL, path } from './workflow-flow.js';

export interface WorkflowStormOptions {
  readonly instances: number;
  readonly members: number;
  readonly kills: number;
  readonly timerMs: number;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
}

/**
 * Starts `instances` workflow instances, runs them on `members` processes while SIGKILLing one at
 * random `kills` times (and starting it again), waits until every instance is terminal, and checks:
 * no transition lost or applied twice (the history of each instance is a path of the definition
 * whose effect rows appear exactly once), every timer that fired did so once and none is left
 * due, and the compensation (a refund) ran exactly once for each instance cancelled after it paid.
 */
export async function runWorkflowStorm(store: CrashStore, o: WorkflowStormOptions): Promise<void> {
  const env = {
    ...store.env, CRASH_LEASE_MS: String(o.leaseTtlMs), CRASH_HEARTBEAT_MS: String(o.heartbeatMs), CRASH_TIMER_MS: String(o.timerMs),
  };
  let started = 0;
  const spawn = () => new Child(`wf-${++started}`, 'workflow-process.ts', env);
  const members = Array.from({ length: o.members }, spawn);
  await Promise.all(members.map((m) => m.waitFor((x) => x.ready === true, 60_000, 'ready')));
  // A process whose group declares handlers of the same commands is refused at start.
  const second = new Child('second-handler', 'workflow-process.ts', { ...env, CRASH_SERVICES_GROUP: 'other-services' });
  expect(await second.exited, second.stderrTail()).toEqual({ code: 3, signal: null });
  expect(second.last('refused')).toEqual({ refused: 'COMMAND_HANDLER_CONFLICT' });

  const app = createFactline({ engine: store.engine, source: 'crash/producer', partitions: CRASH_PARTITIONS });
  for (let i = 0; i < o.instances; i += 200) {
    const batch = Array.from({ length: Math.min(200, o.instances - i) }, (_, k) => ({ event: CrashOrderPlaced, data: { key: `o${i + k}`, n: i + k } }));
    await app.publishAll(batch);
  }

  for (let k = 0; k < o.kills; k++) {
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
    const at = Math.floor(Math.random() * members.length);
    await members[at]!.kill();
    members[at] = spawn();
    await members[at]!.waitFor((x) => x.ready === true, 60_000, 'ready');
  }

  const admin = store.engine.admin;
  await eventually(
    async () => ((await admin.workflowCounts()).filter((c) => !c.done).reduce((n, c) => n + c.count, 0) === 0
      && (await admin.workflowCounts()).reduce((n, c) => n + c.count, 0) === o.instances ? true : undefined),
    180_000,
    async () => `instances not terminal: ${JSON.stringify(await admin.workflowCounts())}\n${members.map((m) => m.stderrTail()).join('\n')}`,
  );
  // Let in-flight compensations (refund commands sent by the last transitions) be handled.
  await eventually(async () => ((await admin.commands({ status: 'pending', limit: 1 })).length === 0 ? true : undefined), 60_000,
    async () => `commands still pending: ${JSON.stringify(await admin.commands({ status: 'pending', limit: 5 }))}`);
  await Promise.all(members.map((m) => m.kill()));

  const effects = await store.effects();
  const count = new Map<string, number>();
  for (const e of effects) count.set(e.eventId, (count.get(e.eventId) ?? 0) + 1);
  const twice = [...count].filter(([, n]) => n > 1);
  expect(twice, 'effect rows applied twice').toEqual([]);

  const timerIds = new Set<string>();
  let refundsExpected = 0;
  let firedTimers = 0;
  for (let n = 0; n < o.instances; n++) {
    const key = `o${n}`;
    const found = await admin.workflow('crash-order', key);
    expect(found, `instance ${key}`).toBeDefined();
    const { instance, history } = found!;
    expect(instance.done && TERMINAL.has(instance.state), `${key} ends terminal`).toBe(true);
    expect(instance.timers).toEqual([]);
    const moves = history.filter((h) => h.kind === 'started' || h.kind === 'transition');
    expect(history.map((h) => h.n)).toEqual(history.map((_, i) => i + 1));
    const ids = moves.map((h) => h.eventId);
    expect(new Set(ids).size, `${key}: one transition per event`).toBe(ids.length);
    let state: string | undefined;
    for (const h of moves as WorkflowHistoryRecord[]) {
      expect(ALLOWED.has(`${state ?? ''}>${h.to}`), `${key}: ${state}>${h.to}`).toBe(true);
      expect(h.from).toBe(state);
      state = h.to;
      // Each transition's effect row, written in its transaction, exactly once.
      expect(count.get(`t ${key} ${h.to}`), `${key}: effect of ${h.to}`).toBe(1);
      if (h.eventType === 'factline.workflow.timer') {
        firedTimers++;
        expect(timerIds.has(h.eventId), `timer ${h.eventId} fired twice`).toBe(false);
        timerIds.add(h.eventId);
      }
    }
    expect(state).toBe(instance.state);
    const compensated = moves.some((h) => h.to === 'Cancelled' && (h.from === 'Paid' || h.from === 'Reserved'));
    if (compensated) refundsExpected++;
    expect(count.get(`refund ${key}`) ?? 0, `${key}: refunds`).toBe(compensated ? 1 : 0);
    expect(count.get(`declined ${key}`) ?? 0, `${key}: declined once, never retried`).toBe(path.declined(n) ? 1 : 0);
  }
  const refunds = effects.filter((e) => e.eventId.startsWith('refund ')).length;
  // Rejections are outcomes, decided once: no dead letter, no retry of a rejected command.
  expect(await admin.listDeadLetters({ limit: 10 }), 'dead letters').toEqual([]);
  expect((await admin.commands({ status: 'rejected', limit: 1_000_000 })).length, 'rejected commands').toBeGreaterThan(0);
  expect(refunds).toBe(refundsExpected);
  expect(await admin.scheduled({ limit: 10 }), 'no timer left due').toEqual([]);
  expect(firedTimers, 'timers fired').toBeGreaterThan(0);
  expect(refundsExpected, 'compensations').toBeGreaterThan(0);
  console.log(`workflow storm: ${o.instances} instances, ${o.kills} kills, ${firedTimers} timers fired, ${refundsExpected} compensations, ${effects.length} effect rows`);
}
