import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LeaseLostError, type DeadLetterRecord, type NewEvent } from '../../src/index.js';
import { postgresEngine, type PostgresEngine } from '../../src/engines/postgres/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

let n = 0;
function event(partition: number, key: string): NewEvent {
  const id = `ev-${Date.now()}-${++n}`;
  return {
    partition,
    envelope: {
      specversion: '1.0', id, source: 'test/admin', type: 'test.admin', time: new Date().toISOString(), subject: key, datacontenttype: 'application/json',
      dataschema: 'urn:factline:test.admin:1', data: {}, partitionkey: key, dataversion: 1, correlationid: id,
    },
  };
}

describePg('leases and dead-letter administration', () => {
  const schema = freshSchema('leases');
  let time = 1_000_000;
  const clock = { now: () => time };
  const engines: PostgresEngine[] = [];
  let pool: pg.Pool;
  const open = async () => {
    const e = postgresEngine({ connectionString: PG_URL, schema, poolSize: 3, clock });
    engines.push(e);
    await e.open({ partitions: 8 });
    return e;
  };

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await pool?.end();
  });

  it('gives each partition to one member when members heartbeat at the same time', async () => {
    const members = await Promise.all([1, 2, 3, 4].map(() => open()));
    for (let round = 0; round < 4; round++) {
      const assignments = await Promise.all(members.map((e, i) => e.heartbeat('fair', `m${i}`, 60_000)));
      const all = assignments.flatMap((a) => a.owned);
      expect(new Set(all).size).toBe(all.length);
      for (const a of assignments) expect(a.owned.length).toBeLessThanOrEqual(8);
    }
    const last = await Promise.all(members.map((e, i) => e.heartbeat('fair', `m${i}`, 60_000)));
    expect(last.map((a) => a.members)).toEqual([4, 4, 4, 4]);
    expect(last.map((a) => a.target)).toEqual([2, 2, 2, 2]);
  });

  it('rolls back a consume whose lease another member took, with LeaseLostError', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    await a!.append([event(0, 'k')]);
    expect((await a!.heartbeat('fenced', 'a', 100)).owned).toContain(0);
    time += 1000; // a stalls past its lease time
    expect((await b!.heartbeat('fenced', 'b', 60_000)).owned).toContain(0);
    await pool.query(`create table if not exists "${schema}".writes (v text)`);
    const err = await a!.consume({ group: 'fenced', partition: 0, member: 'a' }, async (tx) => {
      await tx.db.query(`insert into "${schema}".writes (v) values ('from a')`);
      await tx.commit({ position: 1, handled: [{ source: 'test/admin', id: 'x' }] });
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect((await pool.query(`select * from "${schema}".writes`)).rows).toEqual([]);
    expect(await b!.position('fenced', 0, 'beginning')).toBe(0);
  });

  it('prunes inbox rows handled before a time', async () => {
    const e = await open();
    await e.heartbeat('prune', 'm', 60_000);
    const lease = { group: 'prune', partition: 2, member: 'm' };
    await e.consume(lease, (tx) => tx.commit({ handled: [{ source: 's', id: 'old-1' }, { source: 's', id: 'old-2' }] }));
    time += 10_000;
    await e.consume(lease, (tx) => tx.commit({ handled: [{ source: 's', id: 'new-1' }] }));
    expect(await e.pruneInbox(time - 5_000)).toBe(2);
    const seen = await e.consume(lease, (tx) => tx.seen([{ source: 's', id: 'old-1' }, { source: 's', id: 'new-1' }]));
    expect([...seen]).toEqual(['s\u0000new-1']);
  });

  it('replays a dead letter to its group only and refuses unknown or resolved ids, changing nothing', async () => {
    const e = await open();
    const [stored] = await e.append([event(3, 'dl-key')]);
    const rec = (await e.read(3, stored!.sequence - 1, 1))[0]!;
    await e.heartbeat('billing', 'm', 60_000);
    const dl = (id: string, strict: boolean): DeadLetterRecord => ({
      id, group: 'billing', partition: 3, sequence: rec.sequence, key: rec.key, eventId: rec.id, eventSource: rec.source, eventType: rec.type,
      subject: rec.key, body: rec.body, reason: 'attempts exhausted', errors: [{ attempt: 1, at: time, message: 'boom' }], strict, status: 'open',
      createdAt: time, history: [],
    });
    await e.consume({ group: 'billing', partition: 3, member: 'm' }, (tx) => tx.commit({ deadLetters: [dl('dl-1', false)], position: rec.sequence }));

    await expect(e.admin.replayDeadLetter('nope', { by: 'ops', why: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const replayed = await e.admin.replayDeadLetter('dl-1', { by: 'ops', why: 'fixed the bug' });
    expect(replayed).toMatchObject({ status: 'replayed', resolvedBy: 'ops', resolution: 'fixed the bug', history: [{ action: 'replayed', by: 'ops' }] });
    const parked = await e.parked('billing', 3);
    expect(parked).toMatchObject([{ group: 'billing', sequence: rec.sequence, state: 'retrying', attempts: 0, record: { id: rec.id, body: rec.body } }]);
    expect(await e.parked('shipping', 3)).toEqual([]);

    await expect(e.admin.discardDeadLetter('dl-1', { by: 'ops', why: 'again' })).rejects.toMatchObject({ code: 'ALREADY_RESOLVED' });
    await expect(e.admin.replayDeadLetter('dl-1', { by: 'ops', why: 'again' })).rejects.toMatchObject({ code: 'ALREADY_RESOLVED' });
    expect(await e.admin.getDeadLetter('dl-1')).toEqual(replayed);
    expect(await e.parked('billing', 3)).toEqual(parked);

    // Strict mode: the key is held behind the dead letter until it is discarded.
    await e.consume({ group: 'billing', partition: 3, member: 'm' }, (tx) =>
      tx.commit({ deadLetters: [dl('dl-2', true)], park: [{ ...parked[0]!, state: 'held', attempts: 3 }] }));
    expect((await e.parked('billing', 3)).map((p) => p.state)).toEqual(['held']);
    expect((await e.admin.listDeadLetters({ group: 'billing', status: 'open' })).map((d) => d.id)).toEqual(['dl-2']);
    await e.admin.discardDeadLetter('dl-2', { by: 'ops', why: 'obsolete' });
    expect(await e.parked('billing', 3)).toEqual([]);

    const status = (await e.admin.status()).find((s) => s.group === 'billing' && s.partition === 3);
    expect(status).toMatchObject({ position: rec.sequence, head: rec.sequence, parked: 0, owner: 'm' });
    expect((await e.admin.heads())[3]).toBe(rec.sequence);
    expect(await e.admin.findEvent(rec.id)).toEqual(rec);
  });
});
