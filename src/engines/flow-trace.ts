import type { Envelope } from '../core/envelope.js';
import type { FlowEvent, FlowOutcome, FlowTrace, TraceOptions } from '../core/trace.js';
import type { EventRow } from './rows.js';
import { flowVerdict } from './flow-verdict.js';

type Int = number | string;

/** The rows a trace reads, by primary key or index, from either engine. */
export interface TraceReader {
  /** Events of this id (any source), by the id index. */
  byId(id: string): Promise<EventRow[]>;
  /** Events of these correlation ids, by the correlation index, at most `limit`. */
  byCorrelation(correlationIds: readonly string[], limit: number): Promise<EventRow[]>;
  /** Events of this subject, by the subject index, at most `limit`. */
  bySubject(subject: string, limit: number): Promise<EventRow[]>;
  /** (group, type) of every handler declaration. */
  handlers(): Promise<readonly { readonly group: string; readonly type: string }[]>;
  /** What the groups stored about the events: inbox, parked and dead-letter rows, positions. */
  states(groups: readonly string[], events: readonly EventRow[]): Promise<GroupStates>;
}

export interface GroupStates {
  readonly inbox: readonly { grp: string; id: string; source: string; handled_at: Int }[];
  /** Parked rows of the events themselves, and the first parked row of each of their keys. */
  readonly parked: readonly { grp: string; partition: number; sequence: Int; key: string; id: string; state: string; attempts: number; next_attempt_at: Int; errors: string }[];
  readonly deadLetters: readonly { id: string; grp: string; event_id: string; event_source: string; status: string; created_at: Int; reason: string }[];
  readonly positions: readonly { grp: string; partition: number; position: Int }[];
}

const DEFAULT_LIMIT = 1000;

/** Parses the attributes a trace shows; a body that is not JSON still shows its row. */
function attributes(row: EventRow): Partial<Envelope> {
  try {
    return JSON.parse(row.body) as Partial<Envelope>;
  } catch {
    return {};
  }
}

function byTime(a: FlowEvent, b: FlowEvent): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : a.partition - b.partition || a.sequence - b.sequence;
}

/**
 * Answers a trace query: the query as an event id (its correlation is the flow), else as a
 * correlation id, else as a subject (the flows of the events about it); then each event's outcome
 * in every group whose handlers take its type.
 */
export async function traceFlow(reader: TraceReader, query: string, options: TraceOptions = {}): Promise<FlowTrace> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const notes: string[] = [];
  let matched: FlowTrace['matched'] = 'none';
  let rows: EventRow[] = [];
  const own = await reader.byId(query);
  if (own.length > 0) {
    matched = 'event';
    const correlations = [...new Set(own.map((r) => attributes(r).correlationid ?? r.id))];
    rows = await reader.byCorrelation(correlations, limit + 1);
    if (rows.length === 0) rows = own;
  } else {
    rows = await reader.byCorrelation([query], limit + 1);
    if (rows.length > 0) matched = 'correlation';
    else {
      const about = await reader.bySubject(query, limit + 1);
      if (about.length > 0) {
        matched = 'subject';
        const correlations = [...new Set(about.map((r) => attributes(r).correlationid ?? r.id))];
        rows = await reader.byCorrelation(correlations, limit + 1);
        const seen = new Set(rows.map((r) => `${r.partition}:${r.sequence}`));
        for (const r of about) if (!seen.has(`${r.partition}:${r.sequence}`)) rows.push(r);
      }
    }
  }
  if (rows.length > limit) {
    notes.push(`the flow has more than ${limit} events: only the first ${limit} are shown`);
    rows = rows.slice(0, limit);
  }
  if (matched === 'none') {
    return { query, matched, events: [], notes, verdict: { state: 'in-progress', summary: `no event matches ${query} (as event id, correlation id or subject): it may not be published yet` } };
  }
  const handlers = await reader.handlers();
  const groupsOf = new Map<string, string[]>();
  for (const h of handlers) {
    const list = groupsOf.get(h.type) ?? [];
    if (!list.includes(h.group)) list.push(h.group);
    groupsOf.set(h.type, list);
  }
  const groups = [...new Set(rows.flatMap((r) => groupsOf.get(r.type) ?? []))].sort();
  const states = groups.length ? await reader.states(groups, rows) : { inbox: [], parked: [], deadLetters: [], positions: [] };
  const outcomesOf = outcomeLookup(states, notes);
  const events = rows.map((row): FlowEvent => {
    const a = attributes(row);
    const taking = [...(groupsOf.get(row.type) ?? [])].sort();
    return {
      id: row.id,
      source: row.source,
      type: row.type,
      ...(typeof a.subject === 'string' ? { subject: a.subject } : {}),
      time: typeof a.time === 'string' ? a.time : '',
      partition: row.partition,
      sequence: Number(row.sequence),
      ...(typeof a.correlationid === 'string' ? { correlationId: a.correlationid } : {}),
      ...(typeof a.causationid === 'string' ? { causationId: a.causationid } : {}),
      outcomes: taking.length ? taking.map((g) => outcomesOf(g, row, typeof a.time === 'string' ? Date.parse(a.time) : NaN)) : [{ group: null, state: 'no-handler' }],
    };
  });
  events.sort(byTime);
  return { query, matched, events, notes: [...new Set(notes)], verdict: flowVerdict(events, states) };
}

/** The outcome of an event in a group, from the rows the groups stored. */
function outcomeLookup(states: GroupStates, notes: string[]): (group: string, row: EventRow, time: number) => FlowOutcome {
  const inbox = new Map(states.inbox.map((r) => [`${r.grp}\0${r.source}\0${r.id}`, Number(r.handled_at)]));
  const parked = new Map(states.parked.map((r) => [`${r.grp}\0${r.partition}\0${Number(r.sequence)}`, r]));
  const positions = new Map(states.positions.map((r) => [`${r.grp}\0${r.partition}`, Number(r.position)]));
  const dead = new Map<string, GroupStates['deadLetters'][number]>();
  // The latest dead letter of an event in a group decides (an event may die again after a replay).
  for (const d of states.deadLetters) {
    const k = `${d.grp}\0${d.event_source}\0${d.event_id}`;
    const prev = dead.get(k);
    if (!prev || Number(prev.created_at) <= Number(d.created_at)) dead.set(k, d);
  }
  return (group, row, time) => {
    const sequence = Number(row.sequence);
    const dl = dead.get(`${group}\0${row.source}\0${row.id}`);
    const p = parked.get(`${group}\0${row.partition}\0${sequence}`);
    if (dl && (dl.status === 'open' || (dl.status === 'discarded' && !p))) {
      return { group, state: 'dead-letter', deadLetterId: dl.id, since: Number(dl.created_at), reason: dl.reason, status: dl.status === 'open' ? 'open' : 'discarded' };
    }
    if (p && p.state === 'retrying') {
      const errors = JSON.parse(p.errors) as { message: string }[];
      const last = errors[errors.length - 1]?.message;
      return { group, state: 'retrying', attempts: p.attempts, nextAttemptAt: Number(p.next_attempt_at), ...(last !== undefined ? { lastError: last } : {}) };
    }
    if (p) {
      let head: GroupStates['parked'][number] | undefined;
      for (const q of states.parked) {
        if (q.grp === group && q.partition === row.partition && q.key === p.key && Number(q.sequence) < sequence && (!head || Number(q.sequence) < Number(head.sequence))) head = q;
      }
      const reason = head?.state === 'held' ? 'its key is held behind a dead letter (strict mode)' : head ? 'its key waits for the retry of an earlier event' : 'its key is parked';
      return { group, state: 'parked', ...(head ? { behind: { eventId: head.id, sequence: Number(head.sequence) } } : {}), reason };
    }
    const at = inbox.get(`${group}\0${row.source}\0${row.id}`);
    if (at !== undefined) return { group, state: 'handled', at, ...(at >= time ? { durationMs: at - time } : {}), fromPosition: false };
    const position = positions.get(`${group}\0${row.partition}`) ?? 0;
    if (position >= sequence) {
      notes.push('some outcomes come from positions, not inbox rows: the inbox row was pruned after the dedupe window (inboxRetentionMs), or the group started after the event, so when it was handled is unknown');
      return { group, state: 'handled', fromPosition: true };
    }
    return { group, state: 'not-reached', behind: sequence - position - 1 };
  };
}
