import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendInTransaction, postgresEngine, type PostgresEngine } from '../../src/engines/postgres/index.js';
import { eventually } from '../../src/testing/index.js';
import type { NewEvent } from '../../src/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

let n = 0;
function event(partition: number): NewEvent {
  const id = `notify-${Date.now()}-${++n}`;
  return {
    partition,
    envelope: {
      specversion: '1.0', id, source: 'test/notify', type: 'test.notify', time: new Date().toISOString(), subject: 's', datacontenttype: 'application/json',
      dataschema: 'urn:factline:test.notify:1', data: {}, partitionkey: 's', dataversion: 1, correlationid: id,
    },
  };
}

describePg('LISTEN/NOTIFY', () => {
  const schema = freshSchema('notify');
  let engine: PostgresEngine;
  let other: pg.Pool;

  beforeAll(async () => {
    engine = postgresEngine({ connectionString: PG_URL, schema, poolSize: 3 });
    await engine.open({ partitions: 4 });
    // Another "process": its own connections, appending through the schema's SQL only.
    other = new pg.Pool({ connectionString: PG_URL, max: 3 });
  });

  afterAll(async () => {
    await engine?.close();
    await other?.end();
  });

  it('wakes watchers when another connection appends', async () => {
    let woken = 0;
    const unwatch = engine.watch(() => woken++);
    try {
      await appendInTransaction(other, { schema }, [event(1)]);
      await eventually('a notification', () => woken > 0);
    } finally {
      unwatch();
    }
  });

  it('wakes its watchers once for its own append: at once, and not again when the notification comes back', async () => {
    let woken = 0;
    const unwatch = engine.watch(() => woken++);
    try {
      await engine.append([event(2)]);
      expect(woken).toBe(1);
      // Another connection's append marks the end: once it woke the watchers, the own append's
      // notification, sent before it, has arrived as well.
      await appendInTransaction(other, { schema }, [event(3)]);
      await eventually('the other append woke the watchers', () => woken >= 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(woken).toBe(2);
    } finally {
      unwatch();
    }
  });

  it('sends one notification per append, not one per event, naming the partitions that received events', async () => {
    const listener = new pg.Client({ connectionString: PG_URL });
    await listener.connect();
    const received: string[] = [];
    const payloads: string[] = [];
    listener.on('notification', (m) => {
      received.push(m.channel);
      payloads.push(m.payload ?? '');
    });
    await listener.query(`listen "${schema}_events"`);
    try {
      const client = await other.connect();
      try {
        await client.query('begin');
        await appendInTransaction(client, { schema }, [event(0), event(1)]);
        await appendInTransaction(client, { schema }, [event(2)]);
        await appendInTransaction(client, { schema }, [event(3), event(0)]);
        await client.query('commit');
      } finally {
        client.release();
      }
      // A second transaction marks the end: once its notification arrived, the first one's all did.
      await appendInTransaction(other, { schema }, [event(1)]);
      await eventually('both transactions notified', () => payloads.at(-1) === '1');
      // Three appends in the first transaction (five events), one in the second.
      expect(received.every((c) => c === `${schema}_events`)).toBe(true);
      expect(payloads.map((p) => p.split(',').sort().join(','))).toEqual(['0,1', '2', '0,3', '1']);
    } finally {
      await listener.end();
    }
  });

  it('listens again after its connection is terminated', async () => {
    const listening = async () =>
      (await other.query("select pid from pg_stat_activity where query = $1 and datname = current_database()", [`listen "${schema}_events"`])).rows as { pid: number }[];
    const [before] = await eventually('the listener connection', listening);
    let woken = 0;
    const unwatch = engine.watch(() => woken++);
    try {
      await other.query('select pg_terminate_backend($1)', [before!.pid]);
      await eventually('a new listener connection', async () => (await listening()).some((r) => r.pid !== before!.pid));
      // Reconnecting wakes watchers once (notifications may have been missed meanwhile).
      await eventually('the wake-up after reconnecting', () => woken === 1);
      await appendInTransaction(other, { schema }, [event(3)]);
      await eventually('a notification after reconnecting', () => woken > 1);
    } finally {
      unwatch();
    }
  });
});
