import type { Reaction, WorkflowDefinition } from './definition.js';

/** How a transition is labelled: the event type, the rejected command, or the timer and its delay. */
export function labelOf(r: Reaction): string {
  const cond = r.label ? ` [${r.label}]` : '';
  if (r.kind === 'timer') return `after ${formatMs(r.afterMs ?? 0)} (${r.on})`;
  if (r.kind === 'rejected') return `${r.on} rejected${cond}`;
  return `${r.on}${cond}`;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** Mermaid text may not hold a colon after the label's own, nor line breaks. */
const safe = (text: string) => text.replace(/[:\n\r]/g, ' ');

/** The state machine of `w` as a Mermaid `stateDiagram-v2`, in definition order. */
export function mermaidOf(w: WorkflowDefinition<unknown>): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${w.initial}: ${safe(w.startEvent.type)}`];
  for (const [name, st] of Object.entries(w.states)) {
    for (const r of [...(st.on ?? []), ...(st.timers ?? [])]) lines.push(`  ${name} --> ${r.to}: ${safe(labelOf(r))}`);
  }
  for (const t of w.terminal) lines.push(`  ${t} --> [*]`);
  return lines.join('\n');
}
