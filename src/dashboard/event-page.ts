import type { EngineAdmin, TimedRecord } from '../core/engine.js';
import { FactlineError } from '../core/errors.js';

/** How many stored events of one partition a page examines at most (filter or not). */
export const PAGE_WINDOW = 5000;
export const MAX_PAGE = 200;

export interface EventPageQuery {
  /** From a previous page's `next`; absent: start at the newest events. */
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
  readonly type?: string | undefined;
  readonly subject?: string | undefined;
  /**
   * Stored events examined per partition and page; default PAGE_WINDOW, or the whole partition
   * when `subject` is given (subjects are indexed). Lower it in tests.
   */
  readonly window?: number | undefined;
}

export interface EventPage {
  /** Newest first. */
  readonly events: TimedRecord[];
  /** The cursor of the next (older) page; absent once every partition has been read to its start. */
  readonly next?: string;
}

/** `before` per partition: the exclusive upper sequence bound, as dot-separated base-36 numbers. */
export function encodeCursor(before: readonly number[]): string {
  return before.map((b) => b.toString(36)).join('.');
}

export function decodeCursor(cursor: string, partitions: number): number[] {
  const parts = cursor.split('.');
  const bad = () => new FactlineError('BAD_CURSOR', `cursor ${JSON.stringify(cursor.slice(0, 80))} is not a cursor of this log's event pages; start again without one`);
  if (parts.length !== partitions) throw bad();
  return parts.map((p) => {
    if (!/^[0-9a-z]{1,12}$/.test(p)) throw bad();
    const n = parseInt(p, 36);
    if (!Number.isSafeInteger(n) || n < 1) throw bad();
    return n;
  });
}

/**
 * One keyset page of the log, newest first: merged across partitions by append time, each
 * partition in sequence order. A page examines at most PAGE_WINDOW stored events per partition
 * (a subject filter goes through the subject index instead), so its cost does not grow with the
 * log; with a type filter that matches rarely a page may hold fewer events than asked (even none)
 * and still have a `next` cursor.
 *
 * Guaranteed: following `next` from the first page returns every matching event stored when
 * that page was read exactly once (events appended later appear only on a new first page). The
 * order across partitions is by append time when the partitions' times grow with their
 * sequences (always on one SQLite file; on PostgreSQL with the writers' clocks in step).
 */
export async function eventPage(admin: EngineAdmin, q: EventPageQuery): Promise<EventPage> {
  const heads = await admin.heads();
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(q.limit ?? 50)));
  const before = q.cursor !== undefined && q.cursor !== '' ? decodeCursor(q.cursor, heads.length) : heads.map((h) => h + 1);
  const filter = { ...(q.type ? { type: q.type } : {}), ...(q.subject ? { subject: q.subject } : {}) };

  const windows = await Promise.all(before.map(async (b, partition) => {
    if (b <= 1) return { from: 1, rows: [] as TimedRecord[], horizon: -Infinity };
    const from = Math.max(1, b - Math.max(1, Math.floor(q.window ?? (q.subject ? Number.MAX_SAFE_INTEGER : PAGE_WINDOW))));
    const rows = await admin.eventsBefore({ partition, before: b, from, limit, ...filter });
    // Events of this partition not examined yet are at most this old (times grow with sequences).
    let horizon = -Infinity;
    if (rows.length === limit) horizon = rows[rows.length - 1]!.time;
    else if (from > 1) horizon = (await admin.eventTime(partition, from)) ?? -Infinity;
    return { from, rows, horizon };
  }));
  const floor = Math.max(...windows.map((w) => w.horizon));

  const taken = windows.map(() => 0);
  const events: TimedRecord[] = [];
  const pick = (ignoreFloor: boolean): boolean => {
    let best = -1;
    windows.forEach((w, p) => {
      const head = w.rows[taken[p]!];
      if (head && (best < 0 || head.time > windows[best]!.rows[taken[best]!]!.time)) best = p;
    });
    if (best < 0) return false;
    const head = windows[best]!.rows[taken[best]!]!;
    if (!ignoreFloor && head.time < floor) return false;
    events.push(head);
    taken[best]!++;
    return true;
  };
  while (events.length < limit && pick(false));

  const next = windows.map((w, p) => {
    if (taken[p]! > 0) return w.rows[taken[p]! - 1]!.sequence;
    return w.rows.length > 0 ? before[p]! : w.from;
  });
  // Progress is guaranteed even when clocks disagree: take at least one event if no bound moved.
  if (events.length === 0 && next.every((n, p) => n === before[p]) && pick(true)) {
    const p = windows.findIndex((_, i) => taken[i]! > 0);
    next[p] = windows[p]!.rows[0]!.sequence;
  }
  return { events, ...(next.some((n) => n > 1) ? { next: encodeCursor(next) } : {}) };
}
