import type { Assignment } from '../../core/engine.js';
import type { PgPoolClient } from './types.js';

/**
 * Partition leases for a consumer group, run inside a transaction that first takes the group's
 * transaction-level advisory lock, so concurrent members of a group run their heartbeats one at
 * a time (members of other groups do not wait).
 *
 * Same fair share as the SQLite engine: each live member's share is floor(P / n), plus one for the
 * first P mod n members in name order. A heartbeat renews the member and its leases, drops members
 * whose heartbeat expired, and takes free or expired partitions up to the member's share. A member
 * over its share is told its target and releases the surplus itself after its in-flight work.
 * Taking a partition waits for the previous owner's consume transaction (it holds the lease row),
 * whose commit then fails with LeaseLostError.
 */
export async function heartbeat(
  c: PgPoolClient, schema: string, group: string, member: string, ttlMs: number, partitions: number, now: number,
): Promise<Assignment> {
  const q = `"${schema}"`;
  await lockGroup(c, schema, group);
  const expires = now + ttlMs;
  await c.query(
    `insert into ${q}.members (grp, member, expires_at) values ($1, $2, $3) on conflict (grp, member) do update set expires_at = excluded.expires_at`,
    [group, member, expires],
  );
  await c.query(`delete from ${q}.members where grp = $1 and expires_at < $2`, [group, now]);
  const members = ((await c.query(`select member from ${q}.members where grp = $1 order by member collate "C"`, [group])).rows as { member: string }[])
    .map((m) => m.member);
  const rank = members.indexOf(member);
  const n = members.length;
  const target = Math.floor(partitions / n) + (rank < partitions % n ? 1 : 0);

  const leases = (await c.query(`select partition, member, expires_at from ${q}.leases where grp = $1`, [group])).rows as {
    partition: number; member: string; expires_at: string;
  }[];
  const owned = leases.filter((l) => l.member === member).map((l) => l.partition);
  if (owned.length > 0) {
    await c.query(`update ${q}.leases set expires_at = $1 where grp = $2 and member = $3`, [expires, group, member]);
  }

  if (owned.length < target) {
    const taken = new Map(leases.map((l) => [l.partition, l]));
    const take: number[] = [];
    // Start at an offset derived from the rank so that members joining together ask for different partitions.
    const start = n > 0 ? Math.floor((rank * partitions) / n) : 0;
    for (let i = 0; i < partitions && owned.length + take.length < target; i++) {
      const p = (start + i) % partitions;
      const lease = taken.get(p);
      if (lease?.member === member) continue;
      if (lease && Number(lease.expires_at) >= now) continue;
      take.push(p);
    }
    if (take.length > 0) {
      await c.query(
        `insert into ${q}.leases (grp, partition, member, expires_at) select $1, p, $2, $3 from unnest($4::int[]) as p
         on conflict (grp, partition) do update set member = excluded.member, expires_at = excluded.expires_at`,
        [group, member, expires, take],
      );
      owned.push(...take);
    }
  }
  owned.sort((a, b) => a - b);
  return { owned, target, members: n };
}

export async function release(c: PgPoolClient, schema: string, group: string, member: string, partitions: readonly number[]): Promise<void> {
  await lockGroup(c, schema, group);
  await c.query(`delete from "${schema}".leases where grp = $1 and member = $2 and partition = any($3::int[])`, [group, member, [...partitions]]);
}

export async function leave(c: PgPoolClient, schema: string, group: string, member: string): Promise<void> {
  await lockGroup(c, schema, group);
  await c.query(`delete from "${schema}".leases where grp = $1 and member = $2`, [group, member]);
  await c.query(`delete from "${schema}".members where grp = $1 and member = $2`, [group, member]);
}

export async function lockGroup(c: PgPoolClient, schema: string, group: string): Promise<void> {
  await c.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`factline.leases:${schema}:${group}`]);
}
