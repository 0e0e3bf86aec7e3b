import type { EventDefinition } from '../core/event.js';
import type { ConsumerGroup, ConsumerOptions } from '../consumer/consumer-group.js';
import { CommandRejected } from '../command/command-rejected.js';
import type { Factline } from '../app.js';
import type { WorkflowDefinition } from './definition.js';
import { TimerFired } from './timer-fired.js';
import { transitionHandler } from './transition.js';

/** The consumer group that runs a workflow's transitions. */
export const workflowGroup = (name: string) => `workflow.${name}`;

/** Every event definition the workflow reacts to: the start, the reactions, command rejections, timers. */
export function eventsOf(w: WorkflowDefinition): EventDefinition[] {
  const out = new Map<string, EventDefinition>([[`${w.startEvent.type}@${w.startEvent.version}`, w.startEvent]]);
  for (const st of Object.values(w.states)) {
    for (const r of st.on ?? []) {
      const d = r.kind === 'rejected' ? CommandRejected : r.definition!;
      out.set(`${d.type}@${d.version}`, d);
    }
    if ((st.timers?.length ?? 0) > 0) out.set(`${TimerFired.type}@${TimerFired.version}`, TimerFired);
  }
  return [...out.values()];
}

/**
 * Runs `w` in `app`: a consumer group named `workflow.<name>` whose store handlers are the
 * transitions. Its options are the group's (retries and dead letters of failing transitions,
 * leases, concurrency). Returns the group.
 */
export function registerWorkflow<Db>(app: Factline<Db>, w: WorkflowDefinition, options?: ConsumerOptions): ConsumerGroup<Db> {
  const group = app.consumer(workflowGroup(w.name), options);
  const handler = transitionHandler(app, w);
  for (const d of eventsOf(w)) group.on(d, handler);
  return group;
}
