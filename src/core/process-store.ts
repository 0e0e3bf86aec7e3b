import type { NewEvent } from './envelope.js';

/**
 * What the engines store for scheduled delivery, commands and workflows. The types only: the
 * SQL lives in each engine, the behaviour in src/schedule, src/command and src/workflow.
 */

/** An event (or command) to be appended to the log at `dueAt` (ms since epoch). */
export interface ScheduledEvent {
  readonly event: NewEvent;
  readonly dueAt: number;
}

/** A scheduled event waiting for its time. `body` is the envelope JSON as it will be appended. */
export interface ScheduledRecord {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly key: string;
  readonly partition: number;
  readonly dueAt: number;
  readonly createdAt: number;
  readonly body: string;
}

export interface ScheduledFilter {
  /** Only those of this partition key. */
  readonly key?: string;
  readonly type?: string;
  readonly limit?: number;
}

/** `pending` until the command's handler decides; a dead letter leaves it pending (see CommandFilter). */
export type CommandStatus = 'pending' | 'accepted' | 'rejected';

/** A sent command and, once its handler decided, the decision. */
export interface CommandRecord {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** The target entity: the command's partition key. */
  readonly key: string;
  /** ms since epoch: sent (or scheduled). */
  readonly sentAt: number;
  readonly status: CommandStatus;
  readonly reason?: string;
  /** The group whose handler decided. */
  readonly group?: string;
  readonly decidedAt?: number;
}

/** The handler's decision on a command, committed with the handler's transaction. */
export interface CommandDecision {
  readonly id: string;
  readonly source: string;
  readonly status: 'accepted' | 'rejected';
  readonly reason?: string;
  readonly group: string;
  readonly at: number;
}

export interface CommandFilter {
  readonly ids?: readonly string[];
  readonly status?: CommandStatus;
  readonly type?: string;
  readonly limit?: number;
}

/** A timer a workflow instance set: the id of its scheduled event and when it is due. */
export interface WorkflowTimerRecord {
  readonly name: string;
  readonly id: string;
  readonly dueAt: number;
}

/** A message a transition emitted. */
export interface EmittedRecord {
  readonly id: string;
  readonly type: string;
  readonly kind: 'event' | 'command';
}

/** The current state of one workflow instance. */
export interface WorkflowInstanceRecord {
  readonly name: string;
  /** The instance: the partition key of the events it reacts to. */
  readonly key: string;
  readonly state: string;
  /** True once the instance reached a terminal state. */
  readonly done: boolean;
  /** The instance's data as JSON-compatible value. */
  readonly data: unknown;
  /** Timers of the current state still pending. */
  readonly timers: readonly WorkflowTimerRecord[];
  /** Ids of every command the instance sent, oldest first. */
  readonly commands: readonly string[];
  /** History entries so far (the next entry gets this number + 1). */
  readonly entries: number;
  readonly correlationId: string;
  readonly startedAt: number;
  readonly updatedAt: number;
}

/**
 * One entry of an instance's history: `started` (the starting event), `transition`, `unexpected`
 * (an event its state does not react to: recorded, state unchanged) or `stale-timer` (a timer of
 * a state the instance already left, fired before it was cancelled: recorded, state unchanged).
 */
export interface WorkflowHistoryRecord {
  readonly name: string;
  readonly key: string;
  /** 1, 2, 3... per instance. */
  readonly n: number;
  readonly at: number;
  readonly kind: 'started' | 'transition' | 'unexpected' | 'stale-timer';
  /** The event that caused it (a timer's event for a timer). */
  readonly eventId: string;
  readonly eventType: string;
  /** The timer's name when a timer caused it. */
  readonly timer?: string;
  readonly from?: string;
  readonly to?: string;
  readonly emitted: readonly EmittedRecord[];
  readonly timersSet: readonly WorkflowTimerRecord[];
  readonly timersCancelled: readonly string[];
}

export interface WorkflowFilter {
  readonly name?: string;
  readonly state?: string;
  /** true: only running instances; false: only finished ones. */
  readonly running?: boolean;
  readonly limit?: number;
}

/** How many instances of a workflow are in a state. */
export interface WorkflowStateCount {
  readonly name: string;
  readonly state: string;
  readonly done: boolean;
  readonly count: number;
}
