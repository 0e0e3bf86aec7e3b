import type { Tx } from '../core/engine.js';
import type { Envelope } from '../core/envelope.js';
import type { EventDefinition } from '../core/event.js';
import type { EmittedRecord, WorkflowHistoryRecord, WorkflowInstanceRecord, WorkflowTimerRecord } from '../core/process-store.js';
import { FactlineError } from '../core/errors.js';
import type { Handler, HandlerContext } from '../consumer/handler.js';
import { scopeStorage } from '../publish/scope.js';
import { CommandRejected } from '../command/command-rejected.js';
import type { Factline } from '../app.js';
import type { Reaction, TransitionRun, WorkflowDefinition, WorkflowStep } from './definition.js';
import { labelOf } from './mermaid.js';
import { TimerFired } from './timer-fired.js';

type TimerData = { workflow: string; key: string; timer: string; state: string };
type RejectedData = { commandType: string };

/** The reaction of `state` to `event`, if it has one; for a timer, also whether it is current. */
function reactionFor(w: WorkflowDefinition, instance: WorkflowInstanceRecord, event: Envelope): { reaction?: Reaction; stale?: boolean; timer?: string } {
  const st = w.states[instance.state];
  if (!st) throw new FactlineError('WORKFLOW_STATE_UNKNOWN', `workflow ${w.name} instance ${instance.key} is in state ${instance.state}, which this definition does not have; deploy a definition that keeps the state`);
  if (event.type === TimerFired.type) {
    const data = event.data as TimerData;
    const current = instance.timers.find((t) => t.id === event.id);
    if (!current) return { stale: true, timer: data.timer };
    return { reaction: (st.timers ?? []).find((t) => t.on === current.name), timer: current.name };
  }
  for (const r of st.on ?? []) {
    if (r.kind === 'event' && (r.definition!.type !== event.type || r.definition!.version !== event.dataversion)) continue;
    if (r.kind === 'rejected' && (event.type !== CommandRejected.type || (event.data as RejectedData).commandType !== r.on)) continue;
    if (r.if && !r.if(event, instance.data)) continue;
    return { reaction: r };
  }
  return {};
}

/**
 * The store handler of a workflow's group for every event type the workflow reacts to. It runs in
 * the consume transaction, which commits its inbox row, the instance's new state, the history
 * entry, the timers set and cancelled and what the transition sent and published, together or
 * not at all: a transition is applied exactly once. An event the instance's state does not react
 * to is recorded in the history (`unexpected`), the state unchanged.
 */
export function transitionHandler<Db>(app: Factline<Db>, w: WorkflowDefinition): Handler<EventDefinition, Db> {
  return async (event, ctx) => {
    if (event.type === TimerFired.type && (event.data as TimerData).workflow !== w.name) return;
    const scope = scopeStorage.getStore();
    if (!scope || scope.closed) throw new FactlineError('TRANSACTION_ENDED', `workflow ${w.name}: the transition's transaction ended`);
    const tx = scope.tx;
    const key = event.partitionkey;
    const instance = await tx.loadInstance(w.name, key);
    const now = Date.now();
    const entry = (kind: WorkflowHistoryRecord['kind'], n: number, extra: Partial<WorkflowHistoryRecord>): WorkflowHistoryRecord => ({
      name: w.name, key, n, at: now, kind, eventId: event.id, eventType: event.type, emitted: [], timersSet: [], timersCancelled: [], ...extra,
    });
    if (!instance) {
      if (event.type !== w.startEvent.type || event.dataversion !== w.startEvent.version) return; // no instance of this workflow has this key
      const data = w.start.data(event);
      await transit(app, tx, w, ctx, event, { key, from: undefined, to: w.start.to, data, run: w.start.run, base: undefined, now, entry });
      return;
    }
    const { reaction, stale, timer } = instance.done ? {} : reactionFor(w, instance, event);
    if (!reaction) {
      const kind = stale ? 'stale-timer' : 'unexpected';
      await tx.saveInstance({ ...instance, entries: instance.entries + 1 }, entry(kind, instance.entries + 1, { from: instance.state, ...(timer ? { timer } : {}) }));
      ctx.log.info({ workflow: w.name, key, state: instance.state }, `workflow ${w.name}: ${event.type} in state ${instance.state} recorded as ${kind}`);
      return;
    }
    await transit(app, tx, w, ctx, event, {
      key, from: instance.state, to: reaction.to, data: instance.data, run: reaction.run, base: instance, now, entry,
      firedTimer: reaction.kind === 'timer' ? event.id : undefined, timer, label: reaction.label ?? labelOf(reaction),
    });
  };
}

interface Move {
  readonly key: string;
  readonly from: string | undefined;
  readonly to: string;
  readonly data: unknown;
  readonly run: TransitionRun<unknown, unknown, unknown> | undefined;
  readonly base: WorkflowInstanceRecord | undefined;
  readonly now: number;
  readonly entry: (kind: WorkflowHistoryRecord['kind'], n: number, extra: Partial<WorkflowHistoryRecord>) => WorkflowHistoryRecord;
  readonly firedTimer?: string | undefined;
  readonly timer?: string | undefined;
  readonly label?: string;
}

async function transit<Db>(app: Factline<Db>, tx: Tx<unknown>, w: WorkflowDefinition, ctx: HandlerContext<Db>, event: Envelope, m: Move): Promise<void> {
  const emitted: EmittedRecord[] = [];
  const step: WorkflowStep<unknown, Db> = {
    workflow: w.name, key: m.key, state: m.from ?? m.to, data: m.data, db: ctx.db, log: ctx.log,
    send: async (command, data, options) => {
      const e = await app.send(command, data, options);
      emitted.push({ id: e.id, type: e.type, kind: 'command' });
      return e;
    },
    publish: async (definition, data, options) => {
      const e = await ctx.publish(definition, data, options);
      emitted.push({ id: e.id, type: e.type, kind: 'event' });
      return e;
    },
  };
  const result = m.run ? await m.run(event, step as WorkflowStep<unknown, unknown>) : undefined;
  const data = result === undefined ? m.data : result;
  // Leaving a state cancels its timers (the one that fired is delivered already).
  const cancelled = (m.base?.timers ?? []).filter((t) => t.id !== m.firedTimer).map((t) => t.id);
  if (cancelled.length) await tx.cancelScheduled(cancelled);
  const target = w.states[m.to]!;
  const set: WorkflowTimerRecord[] = [];
  for (const t of target.terminal ? [] : (target.timers ?? [])) {
    const s = await app.schedule(TimerFired, { workflow: w.name, key: m.key, timer: t.on, state: m.to }, { delayMs: t.afterMs! });
    set.push({ name: t.on, id: s.id, dueAt: s.dueAt });
  }
  const entries = (m.base?.entries ?? 0) + 1;
  const instance: WorkflowInstanceRecord = {
    name: w.name, key: m.key, state: m.to, done: target.terminal === true, data, timers: set,
    commands: [...(m.base?.commands ?? []), ...emitted.filter((e) => e.kind === 'command').map((e) => e.id)],
    entries, correlationId: m.base?.correlationId ?? event.correlationid, startedAt: m.base?.startedAt ?? m.now, updatedAt: m.now,
  };
  await tx.saveInstance(instance, m.entry(m.base ? 'transition' : 'started', entries, {
    ...(m.from !== undefined ? { from: m.from } : {}), to: m.to, ...(m.timer ? { timer: m.timer } : {}), emitted, timersSet: set, timersCancelled: cancelled,
  }));
}
