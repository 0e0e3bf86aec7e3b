import type { Engine } from 'factline';
import { GROUPS, type GroupName } from './consumers.js';

export interface GroupState {
  readonly group: GroupName;
  readonly handled: number;
  readonly retries: number;
  readonly deadLetters: number;
  readonly openDeadLetters: number;
  /** Events after the group's position, summed over partitions. */
  readonly lag: number;
  /** Events the group holds back for a retry or behind a retrying key. */
  readonly parked: number;
}

/** Reads lag and dead letters of every group from the store (engine.admin). */
export async function groupStates(
  engine: Engine, partitions: number, handled: Record<GroupName, number>, retries: Record<GroupName, number>,
): Promise<{ states: GroupState[]; started: boolean }> {
  const status = await engine.admin.status();
  const dead = await engine.admin.listDeadLetters({ limit: 1_000_000 });
  const states = GROUPS.map((group) => {
    const mine = status.filter((s) => s.group === group);
    const dls = dead.filter((d) => d.group === group);
    return {
      group, handled: handled[group], retries: retries[group],
      deadLetters: dls.length, openDeadLetters: dls.filter((d) => d.status === 'open').length,
      lag: mine.reduce((n, s) => n + Math.max(0, s.head - s.position), 0),
      parked: mine.reduce((n, s) => n + s.parked, 0),
    };
  });
  return { states, started: status.filter((s) => (GROUPS as readonly string[]).includes(s.group)).length === GROUPS.length * partitions };
}

export function settled(r: { states: GroupState[]; started: boolean }): boolean {
  return r.started && r.states.every((s) => s.lag === 0 && s.parked === 0);
}

export function progressLine(seconds: number, placed: number, total: number, states: readonly GroupState[]): string {
  const groups = states.map((s) => {
    const extra = [s.retries ? `${s.retries} retried` : '', s.openDeadLetters ? `${s.openDeadLetters} dead` : '', s.lag + s.parked ? `lag ${s.lag + s.parked}` : '']
      .filter(Boolean).join(', ');
    return `${s.group} ${s.handled}${extra ? ` (${extra})` : ''}`;
  });
  return `  ${seconds.toFixed(1).padStart(5)}s  orders ${placed}/${total}  ${groups.join('  ')}`;
}

export function summaryTable(states: readonly GroupState[]): string {
  const head = ['GROUP', 'HANDLED', 'RETRIED', 'DEAD-LETTERED', 'OPEN DEAD LETTERS', 'LAG'];
  const rows = states.map((s) => [s.group, String(s.handled), String(s.retries), String(s.deadLetters), String(s.openDeadLetters), String(s.lag + s.parked)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`).join('\n');
}
