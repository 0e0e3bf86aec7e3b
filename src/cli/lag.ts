import type { Engine, PartitionStatus } from '../core/engine.js';
import { age, iso, table } from './format.js';

export interface PartitionLag {
  readonly group: string;
  readonly partition: number;
  readonly position: number;
  readonly head: number;
  /** Events after the position (head - position). */
  readonly lag: number;
  /** Events of the group waiting in the partition: retrying, behind a retrying key, or held (strict). */
  readonly parked: number;
  /** ms since epoch of the oldest event after the position or parked; absent when none. */
  readonly oldestUnhandledAt?: number;
  readonly owner?: string;
}

export interface GroupLag {
  readonly group: string;
  readonly lag: number;
  readonly parked: number;
  readonly oldestUnhandledAt?: number;
  readonly openDeadLetters: number;
  readonly oldestOpenDeadLetterAt?: number;
  /** Partitions with a lease holder now. */
  readonly ownedPartitions: number;
}

/** Commands of one type that no handler has decided yet. */
export interface CommandLag {
  readonly type: string;
  readonly pending: number;
  /** ms since epoch of the oldest pending one. */
  readonly oldestSentAt: number;
  /** Groups that declared a handler for the type; empty when nobody handles it. */
  readonly handlers: string[];
}

/** Keys of a group parked behind an event of a version the group cannot read yet. */
export interface WaitingForConsumer {
  readonly group: string;
  /** "group billing handles shop.order.placed up to v2; v3 needs a newer consumer" */
  readonly status: string;
  /** Why the group's version cannot read it (the first break), when known. */
  readonly reason?: string;
  readonly keys: number;
  /** Parked events of those keys (the newer ones and those waiting behind them). */
  readonly events: number;
}

export interface LagReport {
  readonly at: number;
  readonly partitions: PartitionLag[];
  readonly groups: GroupLag[];
  /** Pending commands per type (a type without handlers is sent but never decided). */
  readonly commands: CommandLag[];
  readonly waiting: WaitingForConsumer[];
}

const AHEAD = /^(group \S+ handles \S+ up to v\d+; v\d+ needs a newer consumer)(?: \((.*)\))?$/s;

/** The parked keys whose head waits for a newer consumer, by group and status. */
async function waitingFor(engine: Engine, status: readonly PartitionStatus[]): Promise<WaitingForConsumer[]> {
  const out = new Map<string, { group: string; status: string; reason?: string; keys: number; events: number }>();
  for (const s of status.filter((p) => p.parked > 0)) {
    const rows = await engine.parked(s.group, s.partition);
    const byKey = new Map<string, typeof rows>();
    for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    for (const keyRows of byKey.values()) {
      const match = AHEAD.exec(keyRows[0]!.errors.at(-1)?.message ?? '');
      if (!match) continue;
      const id = `${s.group}\u0000${match[1]}`;
      const entry = out.get(id) ?? { group: s.group, status: match[1]!, ...(match[2] ? { reason: match[2] } : {}), keys: 0, events: 0 };
      entry.keys++;
      entry.events += keyRows.length;
      out.set(id, entry);
    }
  }
  return [...out.values()];
}

const minOf = (values: (number | undefined)[]): number | undefined => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
};

/** Lag per group and partition, and per group with its open dead letters. */
export async function lagReport(engine: Engine, now: number, groupFilter?: string): Promise<LagReport> {
  const status: PartitionStatus[] = (await engine.admin.status()).filter((s) => !groupFilter || s.group === groupFilter);
  const open = await engine.admin.listDeadLetters({ status: 'open', limit: 1_000_000, ...(groupFilter ? { group: groupFilter } : {}) });
  const partitions: PartitionLag[] = status.map((s) => ({
    group: s.group, partition: s.partition, position: s.position, head: s.head, lag: Math.max(0, s.head - s.position), parked: s.parked,
    ...(s.oldestUnhandledAt !== undefined ? { oldestUnhandledAt: s.oldestUnhandledAt } : {}),
    ...(s.owner ? { owner: s.owner } : {}),
  }));
  const names = [...new Set([...partitions.map((p) => p.group), ...open.map((d) => d.group)])].sort();
  const groups: GroupLag[] = names.map((group) => {
    const ps = partitions.filter((p) => p.group === group);
    const dls = open.filter((d) => d.group === group);
    const oldestUnhandledAt = minOf(ps.map((p) => p.oldestUnhandledAt));
    const oldestOpenDeadLetterAt = minOf(dls.map((d) => d.createdAt));
    return {
      group,
      lag: ps.reduce((n, p) => n + p.lag, 0),
      parked: ps.reduce((n, p) => n + p.parked, 0),
      ...(oldestUnhandledAt !== undefined ? { oldestUnhandledAt } : {}),
      openDeadLetters: dls.length,
      ...(oldestOpenDeadLetterAt !== undefined ? { oldestOpenDeadLetterAt } : {}),
      ownedPartitions: ps.filter((p) => p.owner).length,
    };
  });
  return { at: now, partitions, groups, waiting: await waitingFor(engine, status), commands: await commandLag(engine) };
}

/** Pending commands per type, with the groups that declared a handler for each. */
async function commandLag(engine: Engine): Promise<CommandLag[]> {
  const [pending, declared] = await Promise.all([engine.admin.commands({ status: 'pending', limit: 1_000_000 }), engine.admin.handlers()]);
  const byType = new Map<string, { pending: number; oldestSentAt: number }>();
  for (const c of pending) {
    const t = byType.get(c.type);
    if (t) {
      t.pending++;
      t.oldestSentAt = Math.min(t.oldestSentAt, c.sentAt);
    } else {
      byType.set(c.type, { pending: 1, oldestSentAt: c.sentAt });
    }
  }
  return [...byType].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, t]) => ({
    type, ...t, handlers: [...new Set(declared.filter((d) => d.kind === 'command' && d.type === type).map((d) => d.group))].sort(),
  }));
}

export function renderLag(r: LagReport, showAll: boolean): string {
  if (r.groups.length === 0 && r.commands.length === 0) return 'no consumer groups have started on this log yet';
  const parts = showAll ? r.partitions : r.partitions.filter((p) => p.lag > 0 || p.parked > 0);
  const groupTable = table(
    ['GROUP', 'LAG', 'PARKED', 'OLDEST UNHANDLED', 'OPEN DEAD LETTERS', 'OLDEST DEAD LETTER', 'LEASED'],
    r.groups.map((g) => [
      g.group, String(g.lag), String(g.parked), age(g.oldestUnhandledAt, r.at), String(g.openDeadLetters), age(g.oldestOpenDeadLetterAt, r.at),
      String(g.ownedPartitions),
    ]),
  );
  const partTable = parts.length === 0
    ? `partitions: every group is at the head of every partition${showAll ? '' : ' (--all lists them)'}`
    : `${showAll ? 'partitions:' : 'partitions behind (--all lists every one):'}\n${table(
      ['GROUP', 'PARTITION', 'POSITION', 'HEAD', 'LAG', 'PARKED', 'OLDEST UNHANDLED', 'OWNER'],
      parts.map((p) => [
        p.group, String(p.partition), String(p.position), String(p.head), String(p.lag), String(p.parked), age(p.oldestUnhandledAt, r.at), p.owner ?? '-',
      ]),
    )}`;
  const commandTable = r.commands.length === 0 ? '' : `\n\ncommands not decided yet:\n${table(
    ['COMMAND', 'PENDING', 'OLDEST', 'HANDLED BY'],
    r.commands.map((c) => [c.type, String(c.pending), age(c.oldestSentAt, r.at), c.handlers.length ? c.handlers.join(', ') : 'NO HANDLER']),
  )}`;
  const waiting = r.waiting.length === 0 ? '' : `\n\nwaiting for a newer consumer:\n${r.waiting.map((w) =>
    `  ${w.status}: ${w.keys} key${w.keys === 1 ? '' : 's'} parked, ${w.events} event${w.events === 1 ? '' : 's'}${w.reason ? `\n    (${w.reason})` : ''}`).join('\n')}`;
  return `${groupTable}\n\n${partTable}${commandTable}${waiting}\n\nas of ${iso(r.at)}`;
}
