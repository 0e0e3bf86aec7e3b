import type { FlowOutcome, FlowTrace } from '../core/trace.js';
import { age, iso, truncate } from './format.js';

/** The exit code of `factline trace`: 0 complete, 3 in progress, 4 stuck, 1 when nothing matched. */
export function traceExitCode(trace: FlowTrace): number {
  if (trace.matched === 'none') return 1;
  return trace.verdict.state === 'complete' ? 0 : trace.verdict.state === 'stuck' ? 4 : 3;
}

function outcomeText(o: FlowOutcome, now: number): string {
  switch (o.state) {
    case 'handled':
      return o.fromPosition ? 'handled (known from the position; the inbox row is gone)' : `handled at ${iso(o.at)}`;
    case 'retrying':
      return `retrying: ${o.attempts} failed attempt(s), next at ${iso(o.nextAttemptAt)}${o.lastError ? `; last error: ${truncate(o.lastError, 80)}` : ''}`;
    case 'parked':
      return `parked behind ${o.behind ? `event ${o.behind.eventId} (sequence ${o.behind.sequence})` : 'an earlier event of its key'}${o.reason ? `: ${o.reason}` : ''}`;
    case 'dead-letter':
      return o.status === 'discarded'
        ? `dead letter ${o.deadLetterId}, discarded (was: ${truncate(o.reason, 60)})`
        : `DEAD LETTER since ${iso(o.since)} (${age(o.since, now)} ago): ${truncate(o.reason, 80)}; factline dlq show ${o.deadLetterId}`;
    case 'not-reached':
      return `not reached yet: ${o.behind} earlier event(s) of its partition to go`;
    case 'no-handler':
      return 'no group handles this type';
  }
}

const MATCHED: Record<FlowTrace['matched'], string> = {
  event: 'the event id; its flow is its correlation',
  correlation: 'a correlation id',
  subject: 'a subject; the flows of the events about it',
  none: 'nothing',
};

/** `factline trace` as text: the verdict first, then each event with every group's outcome. */
export function renderTrace(trace: FlowTrace, now: number): string {
  if (trace.matched === 'none') return trace.verdict.summary;
  const lines = [`${trace.query}: matched ${MATCHED[trace.matched]}`, trace.verdict.summary, ''];
  for (const e of trace.events) {
    lines.push(`${e.time}  ${e.type}  ${e.subject ?? '-'}  p${e.partition}#${e.sequence}  ${e.id}${e.causationId ? `  (caused by ${e.causationId})` : ''}`);
    const width = Math.max(0, ...e.outcomes.map((o) => (o.group ?? '').length));
    for (const o of e.outcomes) lines.push(`  ${(o.group ?? '').padEnd(width)}${o.group === null ? '' : '  '}${outcomeText(o, now)}`);
  }
  if (trace.notes.length) lines.push('', ...trace.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}
