import type { Engine, ParkedRecord } from '../core/engine.js';

export interface PartitionView {
  readonly partition: number;
  readonly position: number;
  readonly head: number;
  readonly lag: number;
  /** Events of the group waiting in the partition (retrying, behind a retrying key, or held). */
  readonly parked: number;
  readonly oldestUnhandledAt?: number;
  /** The member holding the partition's lease, if any. */
  readonly owner?: string;
}

export interface RetryingKey {
  readonly partition: number;
  readonly key: string;
  readonly eventId: string;
  readonly type: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError?: string;
  /** Events of the key waiting behind this one. */
  readonly waiting: number;
}

export interface GroupView {
  readonly group: string;
  readonly lag: number;
  readonly partitions: PartitionView[];
  /** Events the group moved its positions over per second, between the last two samples; absent until there are two. */
  readonly throughput?: number;
  readonly retryingKeys: number;
  /** Keys with events waiting: retrying, behind a retrying event, or held behind a strict dead letter. */
  readonly parkedKeys: number;
  /** At most 20, soonest next attempt first. */
  readonly retrying: RetryingKey[];
  /** Members holding leases now, with their partitions. */
  readonly members: { readonly member: string; readonly partitions: number[] }[];
  readonly openDeadLetters: number;
  readonly oldestOpenDeadLetterAt?: number;
}

export interface Overview {
  readonly at: number;
  readonly partitions: number;
  /** Events in the log (sum of the partition heads). */
  readonly events: number;
  /** Events appended per second between the last two samples. */
  readonly publishRate?: number;
  readonly groups: GroupView[];
  /** True when any group has an open dead letter. */
  readonly alarm: boolean;
}

interface Sample {
  readonly at: number;
  readonly events: number;
  readonly positions: Map<string, number>;
}

/**
 * Rates from consecutive samples: a new sample replaces the previous one once it is at least
 * `minGapMs` older, so rates cover at least that long and any number of viewers share them.
 */
export class RateSampler {
  private previous?: Sample;
  private latest?: Sample;
  constructor(private readonly minGapMs = 1000) {}

  add(s: Sample): void {
    if (!this.latest || s.at - this.latest.at >= this.minGapMs) {
      this.previous = this.latest;
      this.latest = s;
    }
  }

  rate(pick: (s: Sample) => number | undefined): number | undefined {
    const a = this.previous, b = this.latest;
    if (!a || !b || b.at <= a.at) return undefined;
    const x = pick(a), y = pick(b);
    if (x === undefined || y === undefined) return undefined;
    return Math.max(0, ((y - x) * 1000) / (b.at - a.at));
  }
}

function summarizeParked(records: readonly ParkedRecord[]): { keys: Set<string>; retrying: RetryingKey[] } {
  const keys = new Set(records.map((r) => `${r.partition}\0${r.key}`));
  const retrying = records.filter((r) => r.state === 'retrying').map((r) => {
    const last = r.errors[r.errors.length - 1];
    return {
      partition: r.partition, key: r.key, eventId: r.record.id, type: r.record.type, attempts: r.attempts, nextAttemptAt: r.nextAttemptAt,
      ...(last ? { lastError: last.message } : {}),
      waiting: records.filter((o) => o.partition === r.partition && o.key === r.key && o.state === 'waiting').length,
    };
  });
  return { keys, retrying };
}

/** Everything the overview shows, read from the engine's admin API and its parked events. */
export async function overview(engine: Engine, sampler: RateSampler, now: number): Promise<Overview> {
  const [status, heads, open] = await Promise.all([engine.admin.status(), engine.admin.heads(), engine.admin.openDeadLetterCounts()]);
  const events = heads.reduce((n, h) => n + h, 0);
  const positions = new Map<string, number>();
  for (const s of status) positions.set(s.group, (positions.get(s.group) ?? 0) + s.position);
  sampler.add({ at: now, events, positions });

  const names = [...new Set([...status.map((s) => s.group), ...open.map((o) => o.group)])].sort();
  const groups = await Promise.all(names.map(async (group): Promise<GroupView> => {
    const mine = status.filter((s) => s.group === group);
    const partitions: PartitionView[] = mine.map((s) => ({
      partition: s.partition, position: s.position, head: s.head, lag: Math.max(0, s.head - s.position), parked: s.parked,
      ...(s.oldestUnhandledAt !== undefined ? { oldestUnhandledAt: s.oldestUnhandledAt } : {}),
      ...(s.owner ? { owner: s.owner } : {}),
    }));
    const parked = (await Promise.all(mine.filter((s) => s.parked > 0).map((s) => engine.parked(group, s.partition)))).flat();
    const { keys, retrying } = summarizeParked(parked);
    const members = new Map<string, number[]>();
    for (const p of partitions) if (p.owner) members.set(p.owner, [...(members.get(p.owner) ?? []), p.partition]);
    const dl = open.find((o) => o.group === group);
    const throughput = sampler.rate((s) => s.positions.get(group));
    return {
      group,
      lag: partitions.reduce((n, p) => n + p.lag, 0),
      partitions,
      ...(throughput !== undefined ? { throughput } : {}),
      retryingKeys: retrying.length,
      parkedKeys: keys.size,
      retrying: retrying.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt).slice(0, 20),
      members: [...members].map(([member, ps]) => ({ member, partitions: ps })).sort((a, b) => a.member.localeCompare(b.member)),
      openDeadLetters: dl?.open ?? 0,
      ...(dl ? { oldestOpenDeadLetterAt: dl.oldestAt } : {}),
    };
  }));
  const publishRate = sampler.rate((s) => s.events);
  return { at: now, partitions: heads.length, events, ...(publishRate !== undefined ? { publishRate } : {}), groups, alarm: groups.some((g) => g.openDeadLetters > 0) };
}
