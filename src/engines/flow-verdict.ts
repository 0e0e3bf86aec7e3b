import type { FlowEvent, FlowVerdict } from '../core/trace.js';
import type { GroupStates } from './flow-trace.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One verdict over a flow's outcomes: stuck at the first open dead letter (or an event held
 * behind one), else in progress at the first event a group has still to handle, else complete.
 */
export function flowVerdict(events: readonly FlowEvent[], states: GroupStates): FlowVerdict {
  for (const e of events) {
    for (const o of e.outcomes) {
      if (o.state === 'dead-letter' && o.status !== 'discarded') {
        return {
          state: 'stuck',
          where: { eventId: e.id, group: o.group },
          since: o.since,
          summary: `stuck: ${e.type} ${e.subject ?? e.id} is a dead letter in group ${o.group} since ${iso(o.since)} (${o.reason}); see factline dlq show ${o.deadLetterId}`,
        };
      }
    }
  }
  for (const e of events) {
    for (const o of e.outcomes) {
      if (o.state === 'parked' && o.reason?.includes('dead letter')) {
        const held = states.deadLetters.find((d) => d.grp === o.group && d.event_id === o.behind?.eventId && d.status === 'open');
        const since = held ? Number(held.created_at) : undefined;
        return {
          state: 'stuck',
          where: { eventId: e.id, group: o.group },
          ...(since !== undefined ? { since } : {}),
          summary: `stuck: ${e.type} ${e.subject ?? e.id} waits in group ${o.group} behind dead letter ${held ? held.id : 'of an earlier event'} of its key`,
        };
      }
    }
  }
  for (const e of events) {
    for (const o of e.outcomes) {
      if (o.group === null) continue;
      if (o.state === 'retrying') {
        return { state: 'in-progress', where: { eventId: e.id, group: o.group }, summary: `in progress: ${e.type} ${e.subject ?? e.id} failed ${o.attempts} time(s) in group ${o.group}; next attempt at ${iso(o.nextAttemptAt)}` };
      }
      if (o.state === 'parked') {
        return { state: 'in-progress', where: { eventId: e.id, group: o.group }, summary: `in progress: ${e.type} ${e.subject ?? e.id} waits in group ${o.group} behind event ${o.behind?.eventId ?? '?'} of its key` };
      }
      if (o.state === 'not-reached') {
        return { state: 'in-progress', where: { eventId: e.id, group: o.group }, summary: `in progress: group ${o.group} has not reached ${e.type} ${e.subject ?? e.id} yet (${o.behind} earlier event(s) of partition ${e.partition} to go)` };
      }
    }
  }
  const groups = new Set(events.flatMap((e) => e.outcomes.flatMap((o) => (o.group === null ? [] : [o.group]))));
  return { state: 'complete', summary: `complete: ${events.length} event(s), handled by every group that takes them (${groups.size ? [...groups].sort().join(', ') : 'none'})` };
}
