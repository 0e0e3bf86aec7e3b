/**
 * "Did order 123 go through?": one flow of events and, for each event, the outcome in every
 * consumer group whose handlers take its type. Built from index lookups (event id, correlation
 * id, subject), never by scanning the log.
 */
export interface FlowTrace {
  /** What was asked for: an event id, a correlation id or a subject. */
  readonly query: string;
  /** How the query was understood: the first of event id, correlation id, subject that matched. */
  readonly matched: 'event' | 'correlation' | 'subject' | 'none';
  /** Every event of the flow, in time order (then partition and sequence). */
  readonly events: readonly FlowEvent[];
  readonly verdict: FlowVerdict;
  /** Remarks on how the answer was made (outcomes taken from positions, a flow cut at the limit). */
  readonly notes: readonly string[];
}

export interface FlowEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  /** RFC 3339 time of publishing. */
  readonly time: string;
  readonly partition: number;
  readonly sequence: number;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** One entry per group whose handlers take the event's type; `no-handler` when there is none. */
  readonly outcomes: readonly FlowOutcome[];
}

/**
 * The state of one event in one group. Times are ms since epoch.
 * - `handled`: its inbox row says when (`fromPosition: false`), or, once the inbox row was pruned
 *   after the dedupe window (or the group started after the event), the group's position is past
 *   it (`fromPosition: true`, no time). `durationMs` is how long after the event's time its
 *   handling committed (with the inbox row). `attempts` is not stored for handled events and is
 *   left out.
 * - `retrying`: its last attempt failed; the next one runs at `nextAttemptAt`.
 * - `parked`: it waits behind an earlier event of its key (`behind`) that is retried or held.
 * - `dead-letter`: its attempts are used up; `status` says whether the dead letter is still open
 *   or was discarded by an operator (a replayed one is retrying or handled again).
 * - `not-reached`: the group's position in the partition is `behind` events before it.
 */
export type FlowOutcome =
  | { readonly group: string; readonly state: 'handled'; readonly at?: number; readonly attempts?: number; readonly durationMs?: number; readonly fromPosition: boolean }
  | { readonly group: string; readonly state: 'retrying'; readonly attempts: number; readonly nextAttemptAt: number; readonly lastError?: string }
  | { readonly group: string; readonly state: 'parked'; readonly behind?: { readonly eventId: string; readonly sequence: number }; readonly reason?: string }
  | { readonly group: string; readonly state: 'dead-letter'; readonly deadLetterId: string; readonly since: number; readonly reason: string; readonly status?: 'open' | 'discarded' }
  | { readonly group: string; readonly state: 'not-reached'; readonly behind: number }
  | { readonly group: null; readonly state: 'no-handler' };

/**
 * - `complete`: every event is handled by every group that takes it (or has no handler, or its
 *   dead letter was discarded).
 * - `stuck`: an event is an open dead letter, or waits behind one: `where` names the first such
 *   event and group, `since` when its dead letter was made. Nothing moves until someone acts.
 * - `in-progress`: anything else (retrying, parked behind a retry, not reached yet), and the
 *   answer when nothing matched (the event may not be published yet).
 */
export interface FlowVerdict {
  readonly state: 'complete' | 'in-progress' | 'stuck';
  readonly where?: { readonly eventId: string; readonly group: string };
  readonly since?: number;
  /** One line for people, e.g. `stuck: shop.order.placed in group fraud is a dead letter since ...`. */
  readonly summary: string;
}

export interface TraceOptions {
  /** The most events a flow holds (default 1000); a longer one is cut and a note says so. */
  readonly limit?: number;
}
