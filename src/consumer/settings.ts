import type { ReadGate } from './read-gate.js';
import type { Clock } from '../core/clock.js';
import type { DeadLetterRecord, StartFrom } from '../core/engine.js';
import type { Logger } from '../observe/logger.js';
import type { Telemetry } from '../observe/telemetry.js';
import type { Registration } from './handler.js';
import type { NewerVersions } from './newer-versions.js';
import type { Publisher } from './publisher.js';
import type { RetryPolicy } from './retry-policy.js';

/** Called once a dead letter is stored; `first` when the group had no open dead letter before. */
export type DeadLetterHook = (deadLetter: DeadLetterRecord, info: { readonly first: boolean }) => void | Promise<void>;

/** What the onCommitted hook hears after each commit of a partition's work. */
export interface CommitInfo {
  readonly group: string;
  readonly partition: number;
  /** The group's position in the partition after the commit. */
  readonly position: number;
  /** Events whose handlers' effects committed in it. */
  readonly handled: number;
}

/** Everything a group's workers need, resolved from the options and the app. */
export interface GroupSettings {
  readonly name: string;
  /** type -> version -> registration */
  readonly handlers: ReadonlyMap<string, ReadonlyMap<number, Registration>>;
  readonly startFrom: StartFrom;
  readonly concurrency: number;
  readonly batchSize: number;
  /** About how many bytes of events a read holds at most (one event always fits). */
  readonly batchBytes: number;
  /** Partitions of the log. */
  readonly partitions: number;
  /**
   * The largest event body read lately, shared by every worker of the app (0 before the first
   * read): a worker's first read is then sized by bytes like the others'.
   */
  readonly sizes: { largestBody: number };
  /** Turns to read and commit a batch, shared by the group's partition workers in this app (see read-gate.ts). */
  readonly readGate: ReadGate;
  readonly strict: boolean;
  readonly pollMs: number;
  readonly maxPollMs: number;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly publisher: Publisher;
  readonly onDeadLetter?: DeadLetterHook;
  readonly onCommitted?: (info: CommitInfo) => void;
  /** Spans and metrics; absent when both are off. */
  readonly telemetry?: Telemetry;
  /** Reads events of versions newer than the group handles, when forward compatible. */
  readonly newer?: NewerVersions;
}
