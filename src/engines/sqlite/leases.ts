import type Database from 'better-sqlite3';
import type { Assignment } from '../../core/engine.js';

/**
 * Partition leases for a consumer group, run inside a write transaction.
 *
 * Each live member's fair share is floor(P / n), plus one for the first P mod n members in name
 * order. A heartbeat renews the member and its leases, drops members whose heartbeat expired, and
 * takes free or expired partitions up to the member's share. A member over its share is told its
 * target and releases the surplus itself once their in-flight work is done.
 */
export function heartbeat(db: Database.Database, group: string, member: string, ttlMs: number, partitions: number, now: number): Assignment {
  const expires = now + ttlMs;
  db.prepare('insert into factline_members (grp, member, expires_at) values (?, ?, ?) on conflict (grp, member) do update set expires_at = excluded.expires_at')
    .run(group, member, expires);
  db.prepare('delete from factline_members where grp = ? and expires_at < ?').run(group, now);
  const members = (db.prepare('select member from factline_members where grp = ? order by member').all(group) as { member: string }[]).map((m) => m.member);
  const rank = members.indexOf(member);
  const n = members.length;
  const target = Math.floor(partitions / n) + (rank < partitions % n ? 1 : 0);

  db.prepare('update factline_leases set expires_at = ? where grp = ? and member = ?').run(expires, group, member);
  const owned = (db.prepare('select partition from factline_leases where grp = ? and member = ? order by partition').all(group, member) as { partition: number }[])
    .map((r) => r.partition);

  if (owned.length < target) {
    const taken = new Map(
      (db.prepare('select partition, member, expires_at from factline_leases where grp = ?').all(group) as { partition: number; member: string; expires_at: number }[])
        .map((r) => [r.partition, r]),
    );
    const take = db.prepare(
      'insert into factline_leases (grp, partition, member, expires_at) values (?, ?, ?, ?) on conflict (grp, partition) do update set member = excluded.member, expires_at = excluded.expires_at',
    );
    // Start at an offset derived from the rank so that members joining together ask for different partitions.
    const start = n > 0 ? Math.floor((rank * partitions) / n) : 0;
    for (let i = 0; i < partitions && owned.length < target; i++) {
      const p = (start + i) % partitions;
      const lease = taken.get(p);
      if (lease && lease.member !== member && lease.expires_at >= now) continue;
      if (lease?.member === member) continue;
      take.run(group, p, member, expires);
      owned.push(p);
    }
    owned.sort((a, b) => a - b);
  }
  return { owned, target, members: n };
}

export function release(db: Database.Database, group: string, member: string, partitions: readonly number[]): void {
  const del = db.prepare('delete from factline_leases where grp = ? and partition = ? and member = ?');
  for (const p of partitions) del.run(group, p, member);
}

export function leave(db: Database.Database, group: string, member: string): void {
  db.prepare('delete from factline_leases where grp = ? and member = ?').run(group, member);
  db.prepare('delete from factline_members where grp = ? and member = ?').run(group, member);
}
