/**
 * Delivery verification: which event each group received, how often, and when.
 * Memory is one byte per event per group (plus 8 bytes per event when latency is
 * recorded), so a 1,000,000-event backlog stays cheap to verify.
 */
import { now } from './measure.js';
import type { GroupSink } from './system.js';
import type { Workload } from './workload.js';

export interface GroupDelivery {
  /** Distinct events received. */
  received: number;
  /** Events never received. */
  missing: number;
  /** Deliveries beyond the first, summed over events. */
  duplicates: number;
  /** Deliveries whose id is not an event of this workload. */
  foreign: number;
  /** Deliveries reported durable (GroupSink.done). */
  done: number;
}

class GroupState {
  readonly counts: Uint8Array;
  received = 0;
  duplicates = 0;
  foreign = 0;
  done = 0;
  finishedAt: number | undefined;
  private waiters: ((at: number) => void)[] = [];

  constructor(readonly size: number) {
    this.counts = new Uint8Array(size);
  }

  check(): void {
    if (this.finishedAt === undefined && this.received === this.size && this.done >= this.size) {
      this.finishedAt = now();
      for (const resolve of this.waiters) resolve(this.finishedAt);
      this.waiters = [];
    }
  }

  whenComplete(): Promise<number> {
    if (this.finishedAt !== undefined) return Promise.resolve(this.finishedAt);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export class DeliveryRecorder {
  private readonly groups: GroupState[];
  /** Publish-call time per event index (latency scenario only). */
  private readonly publishedAt: Float64Array | undefined;
  /** Publish-to-handler-start latency of first deliveries, in ms. */
  readonly latencies: number[] = [];

  constructor(
    private readonly workload: Workload,
    groups: number,
    options: { latency?: boolean } = {},
  ) {
    this.groups = Array.from({ length: groups }, () => new GroupState(workload.size));
    this.publishedAt = options.latency ? new Float64Array(workload.size) : undefined;
  }

  /** Records the publish-call time of event `index` (latency scenario). */
  published(index: number, at: number): void {
    if (this.publishedAt) this.publishedAt[index] = at;
  }

  sink(group: number): GroupSink {
    const state = this.state(group);
    return {
      started: (id: string) => {
        const at = now();
        const index = this.workload.indexOf(id);
        if (index < 0) {
          state.foreign++;
          return;
        }
        const seen = state.counts[index] ?? 0;
        if (seen === 0) {
          state.received++;
          const sent = this.publishedAt?.[index];
          if (sent !== undefined && sent > 0) this.latencies.push(at - sent);
        } else {
          state.duplicates++;
        }
        if (seen < 255) state.counts[index] = seen + 1;
        state.check();
      },
      done: (count: number) => {
        state.done += count;
        state.check();
      },
    };
  }

  /** Resolves with the completion time once the group received every event and marked it. */
  whenComplete(group: number): Promise<number> {
    return this.state(group).whenComplete();
  }

  finishedAt(group: number): number | undefined {
    return this.state(group).finishedAt;
  }

  delivery(group: number): GroupDelivery {
    const s = this.state(group);
    return {
      received: s.received,
      missing: s.size - s.received,
      duplicates: s.duplicates,
      foreign: s.foreign,
      done: s.done,
    };
  }

  private state(group: number): GroupState {
    const s = this.groups[group];
    if (!s) throw new Error(`no consumer group ${group}`);
    return s;
  }
}
