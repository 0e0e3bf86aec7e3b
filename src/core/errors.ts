/**
 * Every error Factline throws is a FactlineError with a stable string `code`, a message that says
 * what failed and what to do, and the underlying `cause` when there is one.
 */
export class FactlineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FactlineError';
    this.code = code;
  }
}

/** One problem found by an event's schema: the field path (dotted) and the schema's message. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** Data did not match the event's schema. Thrown before anything is written. */
export class EventValidationError extends FactlineError {
  readonly eventType: string;
  readonly issues: readonly FieldIssue[];
  constructor(eventType: string, verb: string, issues: readonly FieldIssue[]) {
    const detail = issues.map((i) => (i.field ? `field ${i.field}: ${i.message}` : i.message)).join('; ');
    super('EVENT_INVALID', `cannot ${verb} ${eventType}: ${detail}`);
    this.name = 'EventValidationError';
    this.eventType = eventType;
    this.issues = issues;
  }
}

/** Thrown by a handler to say that retrying cannot help: the event goes straight to the dead letters. */
export class NonRetryableError extends FactlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NON_RETRYABLE', message, options);
    this.name = 'NonRetryableError';
  }
}

/** Thrown by a handler to ask for the next attempt after a specific delay. Counts as an attempt. */
export class RetryLaterError extends FactlineError {
  readonly delayMs: number;
  constructor(delayMs: number, message = `retry requested in ${delayMs} ms`, options?: { cause?: unknown }) {
    super('RETRY_LATER', message, options);
    this.name = 'RetryLaterError';
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new FactlineError('INVALID_ARGUMENT', `RetryLaterError needs a delay of 0 ms or more, got ${delayMs}`);
    }
    this.delayMs = delayMs;
  }
}

/** A handler ran past its group's timeout; its AbortSignal was aborted. Counts as a failed attempt. */
export class HandlerTimeoutError extends FactlineError {
  constructor(group: string, eventType: string, timeoutMs: number) {
    super('HANDLER_TIMEOUT', `handler of group ${group} for ${eventType} ran past its timeout of ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

/** This member no longer holds the partition's lease (it stalled past the lease time); its batch was rolled back. */
export class LeaseLostError extends FactlineError {
  constructor(group: string, partition: number) {
    super('LEASE_LOST', `group ${group} lost its lease on partition ${partition}; the batch was rolled back and another member goes on from the stored position`);
    this.name = 'LeaseLostError';
  }
}

/** The store is not a Factline log, was created with other settings, or by a newer Factline. */
export class StoreMismatchError extends FactlineError {
  constructor(message: string) {
    super('STORE_MISMATCH', message);
    this.name = 'StoreMismatchError';
  }
}

/**
 * The app was stopped, or the engine is closed or not open yet. The message starts with the call
 * that was refused (`app.publish(shop.order.placed)`, `engine.read`...), then says why and what to do.
 */
export class NotRunningError extends FactlineError {
  constructor(what: string, reason = 'the engine is closed or not open yet (app.stop() closes it; app.start() or the first publish opens it)') {
    super('NOT_RUNNING', `${what}: ${reason}`);
    this.name = 'NotRunningError';
  }
}

/**
 * A transaction's handle was used after that transaction ended: `ctx.db` or `ctx.publish` after
 * the handler's attempt ended (it returned, threw or timed out), or `tx.db` or `tx.publish` after
 * its `app.transaction()` callback settled. Nothing of the refused call ran.
 */
export class TransactionEndedError extends FactlineError {
  constructor(message: string) {
    super('TRANSACTION_ENDED', message);
    this.name = 'TransactionEndedError';
  }
}

/**
 * The store failed underneath Factline: the disk is full (`STORE_FULL`), the file system or the
 * database refuses writes (`STORE_READ_ONLY`), the log file was deleted or replaced while open
 * (`STORE_GONE`), or the driver reported another error (`STORE_ERROR`). The driver's error is the
 * `cause`. Nothing of the failed call was stored.
 */
export class StoreError extends FactlineError {
  constructor(code: 'STORE_FULL' | 'STORE_READ_ONLY' | 'STORE_GONE' | 'STORE_ERROR', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

/**
 * Thrown by a command handler to reject the command with a reason: the rejection is the command's
 * outcome (not a failure), it commits with the handler's transaction and is never retried.
 */
export class CommandRejection extends FactlineError {
  readonly reason: string;
  constructor(reason: string) {
    super('COMMAND_REJECTED', `command rejected: ${reason}`);
    this.name = 'CommandRejection';
    this.reason = reason;
  }
}

/** A second consumer group declares a handler for a command type that another group handles. */
export class CommandHandlerConflictError extends FactlineError {
  readonly commandType: string;
  readonly groups: readonly string[];
  constructor(commandType: string, group: string, others: readonly string[]) {
    super('COMMAND_HANDLER_CONFLICT', `group ${group} cannot handle command ${commandType}: group ${others.join(', ')} handles it already (a command has exactly one handler in the system); remove one of the handlers, or stop the other group before moving the handler`);
    this.name = 'CommandHandlerConflictError';
    this.commandType = commandType;
    this.groups = [group, ...others];
  }
}

/** `app.outcome()` waited longer than its timeout; the command may still be decided later. */
export class OutcomeTimeoutError extends FactlineError {
  constructor(id: string, timeoutMs: number) {
    super('OUTCOME_TIMEOUT', `command ${id} had no outcome within ${timeoutMs} ms; it is still pending (is its handler's group running? see factline lag)`);
    this.name = 'OutcomeTimeoutError';
  }
}

/**
 * A schema registration was refused, nothing of the refused publish or start ran:
 * `SCHEMA_CHANGED`, a registered version's schema differs from the one in code (a version never
 * changes: publish the change as a new version); `SCHEMA_INCOMPATIBLE`, a new version breaks the
 * type's compatibility mode against a version that a live consumer group handles. `breaks` names
 * each field and rule.
 */
export class SchemaConflictError extends FactlineError {
  readonly eventType: string;
  readonly version: number;
  readonly breaks: readonly { readonly path: string; readonly rule: string; readonly message: string }[];
  constructor(code: 'SCHEMA_CHANGED' | 'SCHEMA_INCOMPATIBLE', eventType: string, version: number, message: string, breaks: SchemaConflictError['breaks']) {
    super(code, message);
    this.name = 'SchemaConflictError';
    this.eventType = eventType;
    this.version = version;
    this.breaks = breaks;
  }
}

/**
 * An event of a newer version than its group handles, which the group's version cannot read (not
 * forward compatible, or not in the registry): its key waits, parked, until a member with a
 * handler for that version starts. Never a dead letter, and its attempts are not counted.
 */
export class VersionAheadError extends FactlineError {
  /** False when the registry was not asked yet (the runtime asks it, then decides again). */
  readonly resolved: boolean;
  constructor(message: string, resolved: boolean) {
    super('VERSION_AHEAD', message);
    this.name = 'VersionAheadError';
    this.resolved = resolved;
  }
}
