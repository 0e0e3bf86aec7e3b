import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresEngine, type PostgresEngine } from '../../src/engines/postgres/index.js';
import type { NewEvent } from '../../src/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

let n = 0;
function event(partition: number): NewEvent {
  const id = `shared-read-${Date.now()}-${++n}`;
  return {
    partition,
    envelope: {
      specversion: '1.0', id, source: 'test/shared-reads', type: 'test.read', time: new Date().toISOString(), subject: 's', datacontenttype: 'application/json',
      dataschema: 'urn:factline:test.read:1', data: { n }, partitionkey: 's', dataversion: 1, correlationid: id,
    },
  };
}

describePg('reads of the same partition and position', () => {
  const schema = freshSchema('sharedreads');
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  let engine: PostgresEngine;
  /** The engine's read queries sent to the server, counted on the pool's clients. */
  let readsSent = 0;

  beforeAll(async () => {
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    const counted = new WeakSet<pg.PoolClient>();
    (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const client = await connect();
      if (!counted.has(client)) {
        counted.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
          const config = args[0] as { name?: string } | undefined;
          if (typeof config === 'object' && config?.name?.endsWith('.read')) readsSent++;
          return query(...args);
        };
      }
      return client;
    };
    engine = postgresEngine({ pool, schema });
    await engine.open({ partitions: 2 });
    await engine.append([event(1), event(1), event(1)]);
  });

  afterAll(async () => {
    await engine?.close();
    await pool.end();
  });

  it('share one query when asked for before it is sent; a smaller limit gets the first events', async () => {
    const before = readsSent;
    const [a, b, c] = await Promise.all([engine.read(1, 0, 10), engine.read(1, 0, 10), engine.read(1, 0, 2)]);
    expect(readsSent - before).toBe(1);
    expect(a.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    expect(c).toEqual(a.slice(0, 2));
  });

  it('do not share across positions or partitions, nor with a larger limit', async () => {
    const before = readsSent;
    const [a, b, c, d] = await Promise.all([engine.read(1, 0, 2), engine.read(1, 1, 2), engine.read(0, 0, 2), engine.read(1, 0, 10)]);
    expect(readsSent - before).toBe(4);
    expect(a.map((r) => r.sequence)).toEqual([1, 2]);
    expect(b.map((r) => r.sequence)).toEqual([2, 3]);
    expect(c).toEqual([]);
    expect(d.map((r) => r.sequence)).toEqual([1, 2, 3]);
  });

  it('a read asked for after the query was sent sends its own and sees what committed since', async () => {
    const before = readsSent;
    const first = engine.read(1, 0, 10);
    while (readsSent === before) await new Promise((resolve) => setImmediate(resolve));
    await engine.append([event(1)]);
    const second = await engine.read(1, 0, 10);
    expect(readsSent - before).toBe(2);
    expect((await first).length).toBeGreaterThanOrEqual(3);
    expect(second.map((r) => r.sequence)).toEqual([1, 2, 3, 4]);
  });
});
