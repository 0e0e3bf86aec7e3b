import type { Engine } from '../core/engine.js';
import { FactlineError } from '../core/errors.js';
import type { CommandRecord, WorkflowHistoryRecord, WorkflowInstanceRecord, WorkflowStateCount } from '../core/process-store.js';
import { currentOutcome, type CommandOutcome } from '../command/outcome.js';

/** Default of `stuckAfterMs`: 5 minutes. */
export const STUCK_AFTER_MS = 5 * 60_000;

/**
 * Whether a running instance looks stuck at `now`: its next timer is overdue by more than
 * `afterMs` (nothing delivers its timers), or, with no timer pending, its last transition is
 * older than `afterMs` (it waits for an event that does not come).
 */
export function isStuck(i: WorkflowInstanceRecord, now: number, afterMs = STUCK_AFTER_MS): boolean {
  if (i.done) return false;
  const next = i.timers.reduce<number | undefined>((m, t) => (m === undefined || t.dueAt < m ? t.dueAt : m), undefined);
  return next !== undefined ? next < now - afterMs : i.updatedAt < now - afterMs;
}

export interface WorkflowListFilter {
  readonly name?: string;
  readonly state?: string;
  /** Only running instances that look stuck (isStuck). */
  readonly stuck?: boolean;
  readonly stuckAfterMs?: number;
  readonly limit?: number;
}

/** One instance in a list: its state and when it changed, and its next timer. */
export interface WorkflowSummary {
  readonly name: string;
  readonly key: string;
  readonly state: string;
  readonly done: boolean;
  readonly stuck: boolean;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly nextTimerAt?: number;
  readonly entries: number;
}

function summary(i: WorkflowInstanceRecord, now: number, afterMs: number): WorkflowSummary {
  const next = i.timers.reduce<number | undefined>((m, t) => (m === undefined || t.dueAt < m ? t.dueAt : m), undefined);
  return {
    name: i.name, key: i.key, state: i.state, done: i.done, stuck: isStuck(i, now, afterMs), startedAt: i.startedAt, updatedAt: i.updatedAt,
    ...(next !== undefined ? { nextTimerAt: next } : {}), entries: i.entries,
  };
}

/** Instances, most recently changed first, with counts per state: what `factline workflow list` shows. */
export async function listWorkflows(engine: Engine, filter: WorkflowListFilter, now: number): Promise<{ instances: WorkflowSummary[]; counts: WorkflowStateCount[] }> {
  const afterMs = filter.stuckAfterMs ?? STUCK_AFTER_MS;
  const rows = await engine.admin.workflows({
    ...(filter.name !== undefined ? { name: filter.name } : {}),
    ...(filter.state !== undefined ? { state: filter.state } : {}),
    ...(filter.stuck ? { running: true } : {}),
    limit: filter.stuck ? 1_000_000 : (filter.limit ?? 100),
  });
  let instances = rows.map((i) => summary(i, now, afterMs));
  if (filter.stuck) instances = instances.filter((i) => i.stuck).slice(0, filter.limit ?? 100);
  const counts = (await engine.admin.workflowCounts()).filter((c) => filter.name === undefined || c.name === filter.name);
  return { instances, counts };
}

/** A command an instance sent, with its outcome (`pending` while undecided). */
export interface SentCommand {
  readonly id: string;
  readonly type: string;
  readonly outcome: CommandOutcome | { readonly status: 'pending' };
}

/** One instance in full: what `factline workflow show` prints. */
export interface WorkflowView {
  readonly instance: WorkflowSummary & { readonly data: unknown; readonly correlationId: string };
  readonly history: readonly WorkflowHistoryRecord[];
  /** Timers of the current state not fired yet. */
  readonly timers: readonly { readonly name: string; readonly id: string; readonly dueAt: number }[];
  readonly commands: readonly SentCommand[];
  /** The commands still waiting for their outcome. */
  readonly awaiting: readonly SentCommand[];
}

/** One instance with its history, pending timers and sent commands; NOT_FOUND when there is none. */
export async function showWorkflow(engine: Engine, name: string, key: string, now: number): Promise<WorkflowView> {
  const found = await engine.admin.workflow(name, key);
  if (!found) throw new FactlineError('NOT_FOUND', `no instance of workflow ${name} with key ${key}`);
  const { instance: i, history } = found;
  const records = new Map<string, CommandRecord>((await engine.admin.commands({ ids: i.commands })).map((c) => [c.id, c]));
  const commands: SentCommand[] = [];
  for (const id of i.commands) {
    const outcome = records.has(id) ? ((await currentOutcome(engine.admin, id)) ?? { status: 'pending' as const }) : { status: 'pending' as const };
    commands.push({ id, type: records.get(id)?.type ?? '?', outcome });
  }
  return {
    instance: { ...summary(i, now, STUCK_AFTER_MS), data: i.data, correlationId: i.correlationId },
    history,
    timers: i.timers,
    commands,
    awaiting: commands.filter((c) => c.outcome.status === 'pending'),
  };
}
