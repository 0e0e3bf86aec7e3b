import type Database from 'better-sqlite3';
import type { PartitionRewind, RewindOptions, RewindResult, RewindTarget } from '../../core/rewind.js';
import { FactlineError } from '../../core/errors.js';
import { REWIND_MEMBER, REWIND_MARGIN_MS, rewindPosition } from '../rewind-plan.js';

/** `admin.rewindGroup` on SQLite, inside one write transaction of the engine. */
export function rewindGroup(db: Database.Database, group: string, to: RewindTarget, options: RewindOptions, partitions: number, now: number): RewindResult {
  const known = db.prepare(
    'select 1 from factline_positions where grp = ? union all select 1 from factline_members where grp = ? union all select 1 from factline_handlers where grp = ? limit 1',
  ).get(group, group, group);
  if (!known) throw new FactlineError('NOT_FOUND', `no consumer group ${group} in this log (see factline groups list); nothing changed`);
  const members = db.prepare('select max(expires_at) as until from factline_members where grp = ?').get(group) as { until: number | null };
  const heldUntil = Math.max(now, members.until ?? now) + REWIND_MARGIN_MS;
  const position = db.prepare('select position from factline_positions where grp = ? and partition = ?');
  const firstAt = db.prepare('select sequence from factline_events where partition = ? and time >= ? order by sequence limit 1');
  const head = db.prepare('select head from factline_partitions where partition = ?');
  const clearInbox = db.prepare('delete from factline_inbox where grp = ? and (id, source) in (select id, source from factline_events where partition = ? and sequence > ?)');
  const clearParked = db.prepare('delete from factline_parked where grp = ? and partition = ? and sequence > ?');
  const setPosition = db.prepare('insert into factline_positions (grp, partition, position) values (?, ?, ?) on conflict (grp, partition) do update set position = excluded.position');
  const hold = db.prepare('insert into factline_leases (grp, partition, member, expires_at) values (?, ?, ?, ?) on conflict (grp, partition) do update set member = excluded.member, expires_at = excluded.expires_at');
  const resetStarts = db.prepare('delete from factline_starts where grp = ? and partition = ?');
  const out: PartitionRewind[] = [];
  const chosen = options.partitions ?? Array.from({ length: partitions }, (_, p) => p);
  for (const p of chosen) {
    const from = (position.get(group, p) as { position: number } | undefined)?.position ?? 0;
    const timeSequence = 'time' in to ? ((firstAt.get(p, to.time) as { sequence: number } | undefined)?.sequence ?? (head.get(p) as { head: number }).head + 1) : 0;
    const target = rewindPosition(to, from, timeSequence);
    if (target >= from) continue;
    const inboxCleared = clearInbox.run(group, p, target).changes;
    const parkedCleared = clearParked.run(group, p, target).changes;
    setPosition.run(group, p, target);
    hold.run(group, p, REWIND_MEMBER, heldUntil);
    resetStarts.run(group, p);
    out.push({ partition: p, from, to: target, inboxCleared, parkedCleared });
  }
  return { group, partitions: out, heldUntil };
}
