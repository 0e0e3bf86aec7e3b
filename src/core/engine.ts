import type { NewEvent, StoredEvent } from './envelope.js';
import type {
  CommandDecision, CommandFilter, CommandRecord, ScheduledEvent, ScheduledFilter, ScheduledRecord, WorkflowFilter,
  WorkflowHistoryRecord, WorkflowInstanceRecord, WorkflowStateCount,
} from './process-store.js';
import type { CompatibilityMode } from './compatibility-mode.js';
import type { FlowTrace, TraceOptions } from './trace.js';
import type { RewindOptions, RewindResult, RewindTarget } from './rewind.js';

/**
 * The port every log engine implements (SQLite, PostgreSQL). All methods are async so that
 * engines with network round trips fit; an engine may complete them synchronously.
 *
 * Guarantees an engine must give (the contract suite in `factline/testing` checks them):
 * - append: all events of one call are stored in one transaction, or none are; each gets the
 *   next sequence of its partition; once the promise resolves they are durable.
 * - read: returns only committed events, in sequence order, and never skips an event that a
 *   later read could return before it (no gaps from transactions committing out of order).
 * - consume: the handlers' writes, the inbox rows, the position and the parked/dead-letter
 *   changes commit together or not at all, and only while the member holds the partition's lease.
 */
export interface Engine<Db = unknown> {
  /** `sqlite`, `postgres`... */
  readonly kind: string;
  /** Creates the log or checks that an existing store is a compatible Factline log. */
  open(options: OpenOptions): Promise<OpenedLog>;
  /** Waits for nothing: callers stop their work first. Idempotent. */
  close(): Promise<void>;
  /** Runs `fn` in one transaction of the store; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Tx<Db>) => Promise<T>): Promise<T>;
  /** Appends in a transaction of its own. */
  append(events: readonly NewEvent[]): Promise<StoredEvent[]>;
  /**
   * Calls `listener` when new events may be readable (local commits, server notifications), with
   * the partitions that received them when the engine knows, else undefined (any partition).
   * Best effort: consumers also poll. Returns an unsubscribe function.
   */
  watch(listener: (partitions?: readonly number[]) => void): () => void;

  /** Registers or refreshes a member and returns the partitions it owns after taking its share. */
  heartbeat(group: string, member: string, ttlMs: number): Promise<Assignment>;
  /** Gives up partitions (after the member finished their in-flight work). */
  release(group: string, member: string, partitions: readonly number[]): Promise<void>;
  /** Removes the member and releases all its leases. */
  leave(group: string, member: string): Promise<void>;

  /** The group's stored position in a partition; on first use sets it to 0 or to the head. */
  position(group: string, partition: number, start: StartFrom): Promise<number>;
  /** Committed records of a partition after `after`, in sequence order, at most `limit`. */
  read(partition: number, after: number, limit: number): Promise<LogRecord[]>;
  /** The group's parked events in a partition, ordered by key then sequence. */
  parked(group: string, partition: number): Promise<ParkedRecord[]>;
  /** Runs `fn` in a transaction fenced by the lease; `tx.commit` throws LeaseLostError if it is gone. */
  consume<T>(lease: Lease, fn: (tx: ConsumeTx<Db>) => Promise<T>): Promise<T>;
  /**
   * Optional. Records events whose handlers ran and wrote nothing in the store (effects without
   * a commit step): their inbox rows and the partition's position (raised to `position`, never
   * lowered), in one short transaction of the engine's own, which it may share with other
   * partitions' records. Resolves with the identities (`source \0 id`) it recorded; the others
   * had an inbox row already (duplicates). Throws LeaseLostError, recording nothing, when the
   * member no longer holds the lease. When an engine lacks it the runtime uses `consume`.
   */
  recordHandled?(lease: Lease, position: number, handled: readonly { readonly source: string; readonly id: string }[]): Promise<Set<string>>;
  /**
   * Optional: `read`, with the identities (`source \0 id`) among the records whose inbox row
   * `group` had committed when the read was answered (what `handled` would say of them then). The
   * runtime reads this way for groups with effect handlers; an engine without it is read, then
   * asked `handled`.
   */
  readHandled?(group: string, partition: number, after: number, limit: number): Promise<{ records: LogRecord[]; handled: Set<string> }>;
  /** Deletes inbox rows handled before `beforeMs`; returns how many. */
  pruneInbox(beforeMs: number): Promise<number>;
  /**
   * The identities (`source \0 id`) among `events` whose inbox row the group has committed. A read
   * outside any transaction (the runtime asks before running handlers that call the outside world);
   * `ConsumeTx.seen` stays the authority at commit.
   */
  handled(group: string, events: readonly { readonly source: string; readonly id: string }[]): Promise<Set<string>>;
  /**
   * Records that a member starts work on the lease's partition with the group at `position`, and
   * returns how many starts in a row found the group at this same position, this one included (1
   * when the stored position moved since the last start). Durable once it resolves. The runtime
   * uses it to notice a handler that kills its process: repeated starts without progress. A
   * member that ends its work on the partition without dying records -1, so that the next start
   * counts 1.
   */
  markStart(lease: Lease, position: number): Promise<number>;
  /**
   * Appends the scheduled events due at `now` (at most `limit`, oldest due first) and removes them
   * from the schedule, in one transaction: each is appended exactly once, whatever the number of
   * processes calling this concurrently. Returns how many were appended.
   */
  deliverDue(now: number, limit: number): Promise<number>;
  /**
   * Records, durably, that `member` of `group` runs handlers for each (type, version): inserted on
   * the first declaration, `member` and `seenAt` updated on later ones. Declarations are never
   * removed by the runtime (a group that stops is told apart by its leases, in `admin.status()`).
   */
  declareHandlers(group: string, member: string, handlers: readonly HandlerSpec[]): Promise<void>;

  /**
   * Whether the store can be reached now, for health checks: resolves when a read of the log
   * works, throws a StoreError otherwise (SQLite: the file deleted, replaced, not readable or
   * writable, or no longer a database; PostgreSQL: the server refuses or fails the query).
   * Changes nothing.
   */
  check(): Promise<void>;

  /**
   * Stores a schema version if (type, version) has none yet, and records `producer` (a source)
   * as publishing it when given. Returns the fingerprint stored for (type, version): the given
   * one, or the one registered before (never replaced). Durable once it resolves.
   */
  registerSchema(record: SchemaRecord, producer?: string): Promise<string>;

  /** Dead letters, lag and event lookup, for the CLI and the dashboard. */
  readonly admin: EngineAdmin;
}

/** One version of an event type in the log's schema registry. */
export interface SchemaRecord {
  readonly type: string;
  readonly version: number;
  /** `sha256:<hex>` of the schema's canonical form. */
  readonly fingerprint: string;
  /** The JSON Schema (2020-12), as JSON text. */
  readonly schema: string;
  readonly compatibility: CompatibilityMode;
  /** Who registered it first: `producer <source>` or `group <name>`. */
  readonly registeredBy: string;
  /** ms since epoch */
  readonly registeredAt: number;
}

/** A source that publishes a version, with when it was first and last registered as doing so. */
export interface SchemaProducer {
  readonly type: string;
  readonly version: number;
  readonly source: string;
  readonly firstAt: number;
  readonly lastAt: number;
}

export type StartFrom = 'beginning' | 'now';

/** What a group's handler takes: an event (or command) type at one data version. */
export interface HandlerSpec {
  readonly type: string;
  readonly version: number;
  readonly kind: 'event' | 'command';
}

/** A stored handler declaration (`Engine.declareHandlers`). */
export interface HandlerDeclaration extends HandlerSpec {
  readonly group: string;
  /** The member that declared it last. */
  readonly member: string;
  /** ms since epoch of the first declaration of (group, type, version). */
  readonly declaredAt: number;
  /** ms since epoch of the latest declaration. */
  readonly seenAt: number;
}

export interface OpenOptions {
  /** Partition count for a new log; an existing log must have been created with the same count. */
  readonly partitions: number;
}

export interface OpenedLog {
  readonly partitions: number;
}

/** A transaction: the store's native handle for the app's own writes, and append. */
export interface Tx<Db = unknown> {
  readonly db: Db;
  append(events: readonly NewEvent[]): Promise<StoredEvent[]>;
  /**
   * Stores events to be appended when due (see Engine.deliverDue). An id already scheduled and not
   * yet delivered is left as it is (the first schedule wins).
   */
  schedule(events: readonly ScheduledEvent[]): Promise<void>;
  /** Removes scheduled events not yet delivered; returns the ids it removed. */
  cancelScheduled(ids: readonly string[]): Promise<string[]>;
  /** Records sent commands as pending (an id already recorded is left as it is). */
  trackCommands(commands: readonly CommandRecord[]): Promise<void>;
  /** Records a handler's decision on a command; a command decided already keeps its first decision. */
  decideCommand(decision: CommandDecision): Promise<void>;
  /** The current state of a workflow instance, if it was started. */
  loadInstance(name: string, key: string): Promise<WorkflowInstanceRecord | undefined>;
  /** Stores the instance's new state and appends `entry` (number `instance.entries`) to its history. */
  saveInstance(instance: WorkflowInstanceRecord, entry: WorkflowHistoryRecord): Promise<void>;
  /**
   * `Engine.registerSchema` in this transaction (it commits or rolls back with it), for engines
   * where a second transaction cannot start while this one is open (SQLite). Optional.
   */
  registerSchema?(record: SchemaRecord, producer?: string): Promise<string>;
}

export interface Lease {
  readonly group: string;
  readonly partition: number;
  readonly member: string;
}

export interface Assignment {
  /** Partitions whose lease this member holds now. */
  readonly owned: readonly number[];
  /** How many this member should hold for a fair share; it releases the surplus. */
  readonly target: number;
  /** Live members of the group. */
  readonly members: number;
}

/** A stored event before its body is parsed; `body` is the envelope JSON as stored. */
export interface LogRecord {
  readonly partition: number;
  readonly sequence: number;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly key: string;
  readonly body: string;
}

export interface AttemptError {
  readonly attempt: number;
  /** ms since epoch */
  readonly at: number;
  readonly message: string;
  readonly stack?: string;
}

/**
 * An event of a group that waits: `retrying` is the head of its key and runs again at
 * `nextAttemptAt`; `waiting` stands behind the head of its key; `held` is a head that became a dead
 * letter in strict mode and keeps its key parked until the dead letter is replayed or discarded.
 */
export interface ParkedRecord {
  readonly group: string;
  readonly partition: number;
  readonly sequence: number;
  readonly key: string;
  readonly record: LogRecord;
  readonly state: 'retrying' | 'waiting' | 'held';
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly errors: readonly AttemptError[];
}

export type DeadLetterStatus = 'open' | 'replayed' | 'discarded';

export interface DeadLetterRecord {
  readonly id: string;
  readonly group: string;
  readonly partition: number;
  readonly sequence: number;
  readonly key: string;
  readonly eventId: string;
  readonly eventSource: string;
  readonly eventType: string;
  readonly subject: string;
  /** The whole stored envelope, as stored. */
  readonly body: string;
  readonly reason: string;
  readonly errors: readonly AttemptError[];
  /** Whether the key stayed parked behind it (strict mode). */
  readonly strict: boolean;
  readonly status: DeadLetterStatus;
  readonly createdAt: number;
  readonly resolvedAt?: number;
  readonly resolvedBy?: string;
  readonly resolution?: string;
  /** Each replay or discard, oldest first. */
  readonly history: readonly { readonly action: 'replayed' | 'discarded'; readonly at: number; readonly by: string; readonly why: string }[];
}

/** What one consume transaction changes besides the handlers' own writes. */
export interface BatchCommit {
  /** The new position (never lower than the stored one). */
  readonly position?: number;
  /** Inbox rows of the events handled in this transaction. */
  readonly handled?: readonly { readonly source: string; readonly id: string }[];
  /** Parked rows to insert or replace (by group, partition, sequence). */
  readonly park?: readonly ParkedRecord[];
  /** Parked rows to delete, by sequence. */
  readonly unpark?: readonly number[];
  readonly deadLetters?: readonly DeadLetterRecord[];
}

export interface ConsumeTx<Db = unknown> extends Tx<Db> {
  /**
   * Claims the identities for this transaction and returns those (`source \0 id`) it could not
   * claim: the group's inbox holds them already, or another transaction of the
   * group claimed them and committed (a concurrent transaction on another partition is waited for,
   * never reported unclaimed while it may still commit). Callers pass each identity once per call
   * (the runtime runs the first copy of a batch and skips the others itself). At commit, the claims
   * not listed in `handled` are dropped; a rollback drops them all.
   */
  seen(events: readonly { readonly source: string; readonly id: string }[]): Promise<Set<string>>;
  /** Open dead letters of the lease's group (before this transaction's own). */
  openDeadLetters(): Promise<number>;
  /** Stages the batch's bookkeeping; throws LeaseLostError if the lease is no longer held. */
  commit(changes: BatchCommit): Promise<void>;
}

export interface DeadLetterFilter {
  readonly group?: string;
  readonly type?: string;
  /** The subject of the dead event (the entity it is about). */
  readonly subject?: string;
  readonly status?: DeadLetterStatus;
  readonly limit?: number;
}

/**
 * A backwards window over one partition: the events with `from <= sequence < before`, newest
 * first, at most `limit`, optionally only those of one type or one subject. The window bounds how
 * many stored events a call examines (`before - from`), filter or not; keyset pages over the
 * whole log are built from such windows (see `eventPage` in the dashboard).
 */
export interface EventWindow {
  readonly partition: number;
  readonly before: number;
  readonly from: number;
  readonly limit: number;
  readonly type?: string;
  /** Exact match on the envelope's `subject`. */
  readonly subject?: string;
}

/** A stored event with the time it was appended (ms since epoch). */
export interface TimedRecord extends LogRecord {
  readonly time: number;
}

export interface Resolution {
  readonly by: string;
  readonly why: string;
}

export interface PartitionStatus {
  readonly group: string;
  readonly partition: number;
  readonly position: number;
  readonly head: number;
  /** ms since epoch of the oldest event after the position, or of the oldest parked event. */
  readonly oldestUnhandledAt?: number;
  readonly parked: number;
  /** Keys of the group parked in the partition (a retrying or held event at their head); set by both engines. */
  readonly parkedKeys?: number;
  /** Events of the group in the partition waiting for their next attempt; set by both engines. */
  readonly retrying?: number;
  readonly owner?: string;
}

export interface EngineAdmin {
  listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetterRecord[]>;
  getDeadLetter(id: string): Promise<DeadLetterRecord | undefined>;
  /**
   * Sends the event back to its group only: it runs again in key order. Throws a FactlineError
   * (code NOT_FOUND or ALREADY_RESOLVED) and changes nothing when the dead letter is unknown or
   * not open.
   */
  replayDeadLetter(id: string, resolution: Resolution): Promise<DeadLetterRecord>;
  /** Closes the dead letter without running it; in strict mode releases its key. Same errors as replay. */
  discardDeadLetter(id: string, resolution: Resolution): Promise<DeadLetterRecord>;
  /** Position, head and oldest unhandled event of every group and partition. */
  status(): Promise<PartitionStatus[]>;
  /** Partition heads, index = partition. */
  heads(): Promise<number[]>;
  /** A stored event by id (any source). */
  findEvent(id: string): Promise<LogRecord | undefined>;
  /** Scheduled events not yet delivered, soonest due first. */
  scheduled(filter: ScheduledFilter): Promise<ScheduledRecord[]>;
  /** Sent commands and their decisions, oldest first. */
  commands(filter: CommandFilter): Promise<CommandRecord[]>;
  /** Workflow instances, most recently changed first. */
  workflows(filter: WorkflowFilter): Promise<WorkflowInstanceRecord[]>;
  /** Instances per workflow, state and done. */
  workflowCounts(): Promise<WorkflowStateCount[]>;
  /** One instance and its history, oldest entry first. */
  workflow(name: string, key: string): Promise<{ instance: WorkflowInstanceRecord; history: WorkflowHistoryRecord[] } | undefined>;
  /** Per group with open dead letters: how many are open and when the oldest was created (ms since epoch). */
  openDeadLetterCounts(): Promise<{ readonly group: string; readonly open: number; readonly oldestAt: number }[]>;
  /** Committed events of one partition in a window, newest first (see EventWindow). */
  eventsBefore(window: EventWindow): Promise<TimedRecord[]>;
  /** The append time (ms since epoch) of a stored event, or undefined when there is none at that place. */
  eventTime(partition: number, sequence: number): Promise<number | undefined>;
  /** Every handler declaration, ordered by group, type and version. */
  handlers(): Promise<HandlerDeclaration[]>;
  /** Every registered schema version, by type then version. */
  schemas(): Promise<SchemaRecord[]>;
  /** Which sources publish which versions, by type, version, source. */
  schemaProducers(): Promise<SchemaProducer[]>;
  /**
   * The flow of an event id, a correlation id or a subject (tried in that order), and each
   * event's outcome in every group that declared a handler for its type (see core/trace.ts).
   * Index lookups only; reads committed data.
   */
  trace(query: string, options?: TraceOptions): Promise<FlowTrace>;
  /**
   * Makes the group handle the events from `to` on again, in one transaction: in each partition
   * where the group's position is past the target, the position moves back to it, the group's
   * inbox rows and parked rows of the events after it are deleted, and the partition's lease is
   * taken from its member and held until the live members' current leases would have expired
   * (`heldUntil`), so each sees it gone at its next heartbeat: in-flight commits on it fail with
   * LeaseLostError and roll back, and the worker that takes it after the hold reads from the new
   * position. Safe while members run. Open dead letters stay as
   * they are. Throws FactlineError NOT_FOUND for a group the log does not know.
   */
  rewindGroup(group: string, to: RewindTarget, options?: RewindOptions): Promise<RewindResult>;
}
