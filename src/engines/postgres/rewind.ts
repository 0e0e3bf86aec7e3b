import type { PartitionRewind, RewindOptions, RewindResult, RewindTarget } from '../../core/rewind.js';
import { FactlineError } from '../../core/errors.js';
import { REWIND_MARGIN_MS, REWIND_MEMBER, rewindPosition } from '../rewind-plan.js';
import { lockGroup } from './leases.js';
import type { PgPoolClient } from './types.js';

/**
 * `admin.rewindGroup` on PostgreSQL, inside one transaction. The group's lease lock orders it with
 * heartbeats; each partition's lease row is locked first, which waits for the consume transaction
 * committing on it (it holds the row), so a consume transaction either committed before (its
 * inbox rows are then deleted here) or fails its lease check after.
 */
export async function rewindGroup(c: PgPoolClient, schema: string, group: string, to: RewindTarget, options: RewindOptions, partitions: number, now: number): Promise<RewindResult> {
  const q = `"${schema}"`;
  await lockGroup(c, schema, group);
  const known = await c.query(
    `select 1 from ${q}.positions where grp = $1 union all select 1 from ${q}.members where grp = $1 union all select 1 from ${q}.handlers where grp = $1 limit 1`,
    [group],
  );
  if (known.rows.length === 0) throw new FactlineError('NOT_FOUND', `no consumer group ${group} in this log (see factline groups list); nothing changed`);
  const until = (await c.query(`select max(expires_at) as until from ${q}.members where grp = $1`, [group])).rows[0] as { until: string | null };
  const heldUntil = Math.max(now, until.until === null ? now : Number(until.until)) + REWIND_MARGIN_MS;
  const out: PartitionRewind[] = [];
  const chosen = options.partitions ?? Array.from({ length: partitions }, (_, p) => p);
  for (const p of chosen) {
    await c.query(`select 1 from ${q}.leases where grp = $1 and partition = $2 for update`, [group, p]);
    const pos = (await c.query(`select position from ${q}.positions where grp = $1 and partition = $2 for update`, [group, p])).rows[0] as { position: string } | undefined;
    const from = pos ? Number(pos.position) : 0;
    let timeSequence = 0;
    if ('time' in to) {
      const first = (await c.query(`select sequence from ${q}.events where partition = $1 and time >= $2 order by sequence limit 1`, [p, to.time])).rows[0] as { sequence: string } | undefined;
      const head = (await c.query(`select head from ${q}.partitions where partition = $1`, [p])).rows[0] as { head: string };
      timeSequence = first ? Number(first.sequence) : Number(head.head) + 1;
    }
    const target = rewindPosition(to, from, timeSequence);
    if (target >= from) continue;
    await c.query(
      `insert into ${q}.leases (grp, partition, member, expires_at) values ($1, $2, $3, $4)
       on conflict (grp, partition) do update set member = excluded.member, expires_at = excluded.expires_at`,
      [group, p, REWIND_MEMBER, heldUntil],
    );
    const inbox = await c.query(
      `delete from ${q}.inbox i using ${q}.events e where i.grp = $1 and e.partition = $2 and e.sequence > $3 and i.id = e.id and i.source = e.source`,
      [group, p, target],
    );
    const parked = await c.query(`delete from ${q}.parked where grp = $1 and partition = $2 and sequence > $3`, [group, p, target]);
    await c.query(
      `insert into ${q}.positions (grp, partition, position) values ($1, $2, $3) on conflict (grp, partition) do update set position = excluded.position`,
      [group, p, target],
    );
    await c.query(`delete from ${q}.starts where grp = $1 and partition = $2`, [group, p]);
    out.push({ partition: p, from, to: target, inboxCleared: inbox.rowCount ?? 0, parkedCleared: parked.rowCount ?? 0 });
  }
  return { group, partitions: out, heldUntil };
}
