import type { Engine } from '../core/engine.js';
import type { RewindResult, RewindTarget } from '../core/rewind.js';
import { age, iso, table } from './format.js';
import { UsageError } from './usage-error.js';

/** One consumer group as `factline groups list` shows it. */
export interface GroupView {
  readonly group: string;
  /** `type@version` of every handler the group declared. */
  readonly handles: readonly string[];
  /** Members holding a lease now. */
  readonly members: readonly string[];
  readonly leasedPartitions: number;
  readonly partitions: number;
  readonly lag: number;
  readonly parked: number;
  readonly openDeadLetters: number;
  /** ms since epoch a member last started with these handlers. */
  readonly lastSeenAt?: number;
}

/** Every group the log knows (by position, lease, or handler declaration). */
export async function groupsList(engine: Engine): Promise<GroupView[]> {
  const [status, handlers, open] = await Promise.all([engine.admin.status(), engine.admin.handlers(), engine.admin.listDeadLetters({ status: 'open', limit: 1_000_000 })]);
  const names = [...new Set([...status.map((s) => s.group), ...handlers.map((h) => h.group)])].sort();
  return names.map((group) => {
    const ps = status.filter((s) => s.group === group);
    const hs = handlers.filter((h) => h.group === group);
    const owners = [...new Set(ps.flatMap((p) => (p.owner ? [p.owner] : [])))].sort();
    const seen = hs.map((h) => h.seenAt);
    return {
      group,
      handles: hs.map((h) => `${h.type}@${h.version}`),
      members: owners,
      leasedPartitions: ps.filter((p) => p.owner !== undefined).length,
      partitions: ps.length,
      lag: ps.reduce((n, p) => n + Math.max(0, p.head - p.position), 0),
      parked: ps.reduce((n, p) => n + p.parked, 0),
      openDeadLetters: open.filter((d) => d.group === group).length,
      ...(seen.length ? { lastSeenAt: Math.max(...seen) } : {}),
    };
  });
}

export function renderGroups(groups: readonly GroupView[], now: number): string {
  if (groups.length === 0) return 'no consumer groups in this log yet (a group appears when a member first starts)';
  return table(
    ['GROUP', 'LAG', 'PARKED', 'OPEN DEAD LETTERS', 'LEASED', 'MEMBERS', 'LAST START', 'HANDLES'],
    groups.map((g) => [
      g.group, String(g.lag), String(g.parked), String(g.openDeadLetters), `${g.leasedPartitions}/${g.partitions}`, String(g.members.length),
      g.lastSeenAt === undefined ? '-' : `${age(g.lastSeenAt, now)} ago`, g.handles.join(', ') || '-',
    ]),
  );
}

/** `--to beginning`, a sequence (digits) or an RFC 3339 time. */
export function parseRewindTarget(text: string | undefined): RewindTarget {
  if (text === undefined) throw new UsageError('groups rewind needs --to <beginning | sequence | time>');
  if (text === 'beginning') return { beginning: true };
  if (/^\d+$/.test(text)) {
    const sequence = Number(text);
    if (sequence < 1) throw new UsageError('--to <sequence> starts at 1 (the first event of a partition)');
    return { sequence };
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) throw new UsageError(`bad value for --to: ${JSON.stringify(text)}; give beginning, a sequence (e.g. 42) or a time (e.g. 2026-11-25T21:00:00Z)`);
  return { time };
}

export function parsePartitions(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((p) => p.trim());
  if (list.some((p) => !/^\d+$/.test(p))) throw new UsageError(`bad value for --partition: ${JSON.stringify(text)}; give a partition number or a comma-separated list (e.g. 0,3)`);
  return list.map(Number);
}

export function describeTarget(to: RewindTarget): string {
  if ('beginning' in to) return 'the beginning of the log';
  if ('sequence' in to) return `sequence ${to.sequence} of each partition`;
  return `the first event stored at or after ${iso(to.time)}`;
}

export function renderRewind(r: RewindResult, to: RewindTarget): string {
  if (r.partitions.length === 0) return `group ${r.group} is already before ${describeTarget(to)} in every partition: nothing changed`;
  const events = r.partitions.reduce((n, p) => n + (p.from - p.to), 0);
  return [
    table(['PARTITION', 'FROM', 'TO', 'INBOX ROWS CLEARED', 'PARKED CLEARED'], r.partitions.map((p) => [String(p.partition), String(p.from), String(p.to), String(p.inboxCleared), String(p.parkedCleared)])),
    '',
    `rewound group ${r.group} to ${describeTarget(to)}: ${events} event(s) behind the old positions run again, and every later one; its members resume after ${iso(r.heldUntil)}`,
  ].join('\n');
}
