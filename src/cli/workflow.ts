import type { WorkflowView, WorkflowSummary } from '../workflow/inspect.js';
import type { WorkflowStateCount } from '../core/process-store.js';
import { age, iso, table, truncate } from './format.js';

/** `factline workflow list`: counts per state, then the instances. */
export function renderWorkflowList(list: { instances: WorkflowSummary[]; counts: WorkflowStateCount[] }, now: number, stuckOnly: boolean): string {
  if (list.counts.length === 0) return 'no workflow instances in this log';
  const counts = table(['WORKFLOW', 'STATE', 'INSTANCES', 'ENDED'], list.counts.map((c) => [c.name, c.state, String(c.count), c.done ? 'yes' : 'no']));
  const rows = list.instances.map((i) => [
    i.name, i.key, i.state, i.done ? 'ended' : i.stuck ? 'STUCK' : 'running', age(i.updatedAt, now),
    i.nextTimerAt === undefined ? '-' : i.nextTimerAt >= now ? `in ${age(now, i.nextTimerAt)}` : `${age(i.nextTimerAt, now)} overdue`,
  ]);
  const instances = rows.length === 0
    ? (stuckOnly ? 'no stuck instances' : 'no instances match')
    : table(['WORKFLOW', 'KEY', 'STATE', 'STATUS', 'LAST TRANSITION', 'NEXT TIMER'], rows);
  return `${counts}\n\n${instances}`;
}

/** `factline workflow show`: the state, the history, pending timers and the commands awaiting an outcome. */
export function renderWorkflowShow(v: WorkflowView, now: number): string {
  const i = v.instance;
  const head = [
    `workflow ${i.name}  key ${i.key}`,
    `state:       ${i.state}${i.done ? ' (ended)' : i.stuck ? ' (STUCK)' : ''}`,
    `started:     ${iso(i.startedAt)}`,
    `last change: ${iso(i.updatedAt)} (${age(i.updatedAt, now)} ago)`,
    `correlation: ${i.correlationId}`,
    `data:        ${truncate(JSON.stringify(i.data), 200)}`,
  ].join('\n');
  const history = table(
    ['#', 'AT', 'KIND', 'FROM', 'TO', 'CAUSE', 'EMITTED'],
    v.history.map((h) => [
      String(h.n), iso(h.at), h.kind, h.from ?? '-', h.to ?? '-',
      h.timer ? `timer ${h.timer}` : `${h.eventType} ${h.eventId}`,
      h.emitted.length ? h.emitted.map((e) => `${e.kind === 'command' ? 'sent' : 'published'} ${e.type}`).join(', ') : '-',
    ]),
  );
  const timers = v.timers.length === 0
    ? 'pending timers: none'
    : `pending timers:\n${table(['TIMER', 'DUE', 'ID'], v.timers.map((t) => [t.name, `${iso(t.dueAt)} (${t.dueAt >= now ? `in ${age(now, t.dueAt)}` : `${age(t.dueAt, now)} overdue`})`, t.id]))}`;
  const commands = v.commands.length === 0
    ? 'commands sent: none'
    : `commands sent:\n${table(['COMMAND', 'ID', 'OUTCOME'], v.commands.map((c) => [
      c.type, c.id, c.outcome.status === 'rejected' ? `rejected: ${c.outcome.reason}` : c.outcome.status === 'dead-letter' ? `dead letter ${c.outcome.deadLetterId}` : c.outcome.status,
    ]))}`;
  const awaiting = `awaiting outcome: ${v.awaiting.length === 0 ? 'none' : v.awaiting.map((c) => `${c.type} ${c.id}`).join(', ')}`;
  return `${head}\n\nhistory:\n${history}\n\n${timers}\n\n${commands}\n${awaiting}`;
}
