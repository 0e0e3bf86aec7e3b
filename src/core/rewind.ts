/**
 * Where `admin.rewindGroup` moves a group back to, in every partition (or those named): to the
 * beginning of the log, to the first event stored at or after a time, or to a sequence.
 */
export type RewindTarget =
  | { readonly beginning: true }
  /** ms since epoch: events stored at or after it are handled again. */
  | { readonly time: number }
  /** Events at this sequence or later, in each partition, are handled again. */
  | { readonly sequence: number };

export interface RewindOptions {
  /** Only these partitions (default every partition). */
  readonly partitions?: readonly number[];
}

/** What a rewind changed in one partition. */
export interface PartitionRewind {
  readonly partition: number;
  /** The group's position before and after. */
  readonly from: number;
  readonly to: number;
  /** Inbox rows of the group's events after `to` that were deleted (so those events run again). */
  readonly inboxCleared: number;
  /** Parked rows of the group after `to` that were deleted (those events run again from the log). */
  readonly parkedCleared: number;
}

export interface RewindResult {
  readonly group: string;
  /** Partitions whose position moved back; partitions already before the target are left alone. */
  readonly partitions: readonly PartitionRewind[];
  /**
   * ms since epoch until which the rewound partitions' leases are held by the rewind (the latest
   * expiry of the live members' leases, plus a second), so that every running member stops its
   * work on them at its next heartbeat; then members take them again and read from the new
   * position.
   */
  readonly heldUntil: number;
}
