import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFactline, defineEvent } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually } from '../../src/testing/helpers.js';
import { cli, freshFile } from './log-fixture.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const V1 = defineEvent({ type: 'shop.order.placed', version: 1, schema: z.object({ orderId: z.string(), email: z.string() }), subject: (d) => d.orderId });
const V2 = defineEvent({
  type: 'shop.order.placed', version: 2, schema: z.object({ orderId: z.string(), email: z.string(), total: z.number().default(0) }), subject: (d) => d.orderId,
  from: V1, upcast: (d) => d,
});
/** Drops email: backward compatible, but consumers of v2 require it. */
const V3 = defineEvent({ type: 'shop.order.placed', version: 3, schema: z.object({ orderId: z.string(), total: z.number() }), subject: (d) => d.orderId, from: V2, upcast: (d) => d });

describe('factline schema list, schema show, and lag with events waiting for a newer consumer', () => {
  let file: string;
  beforeAll(async () => {
    file = freshFile('registry');
    const consumer = createFactline({ engine: sqliteEngine({ file }), source: 'shop/billing', partitions: 2, logger: quiet });
    const handled: string[] = [];
    consumer.consumer('billing', { pollMs: 20 }).on(V2, (e) => void handled.push(e.data.orderId));
    await consumer.start();
    const producer = createFactline({ engine: sqliteEngine({ file }), source: 'shop/orders', partitions: 2, logger: quiet });
    await producer.publish(V1, { orderId: 'o1', email: 'a@example.com' });
    await producer.publish(V3, { orderId: 'o2', total: 3 });
    await eventually('o1 handled', () => handled.includes('o1'));
    await eventually('o2 parked', async () => {
      for (const p of [0, 1]) if ((await consumer.engine.parked('billing', p)).some((r) => r.errors.length > 0)) return true;
      return false;
    });
    await producer.stop();
    await consumer.stop();
  });

  it('lists every version with its producers and groups', () => {
    const r = cli(['schema', 'list', '--db', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^TYPE\s+VERSION\s+MODE\s+FINGERPRINT\s+REGISTERED BY\s+PRODUCERS\s+GROUPS/);
    expect(r.stdout).toMatch(/shop\.order\.placed\s+1\s+BACKWARD\s+sha256:\S+\s+producer shop\/orders\s+shop\/orders\s+-/);
    expect(r.stdout).toMatch(/shop\.order\.placed\s+2\s+BACKWARD\s+sha256:\S+\s+group billing\s+-\s+billing/);
    const json = JSON.parse(cli(['schema', 'list', '--db', file, '--json']).stdout) as { version: number; groups: { group: string; live: boolean }[] }[];
    expect(json.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(json[1]!.groups).toEqual([expect.objectContaining({ group: 'billing', live: false })]);
  });

  it('shows one type with its JSON Schemas', () => {
    const r = cli(['schema', 'show', 'shop.order.placed', '--db', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('shop.order.placed v3');
    expect(r.stdout).toContain('"required"');
    expect(cli(['schema', 'show', 'shop.nothing', '--db', file]).code).toBe(1);
  });

  it('says in lag which keys wait for a newer consumer, and why', () => {
    const r = cli(['lag', '--db', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('waiting for a newer consumer:');
    expect(r.stdout).toContain('group billing handles shop.order.placed up to v2; v3 needs a newer consumer: 1 key parked, 1 event');
    expect(r.stdout).toContain('removing required field email breaks FORWARD: consumers of v2 require it');
    const json = JSON.parse(cli(['lag', '--db', file, '--json']).stdout) as { waiting: unknown[] };
    expect(json.waiting).toEqual([expect.objectContaining({ group: 'billing', keys: 1, events: 1 })]);
  });

  it('lists the parked key with its status in factline parked', () => {
    const r = cli(['parked', '--db', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^GROUP\s+PARTITION\s+KEY\s+TYPE\s+STATE\s+ATTEMPTS\s+NEXT IN\s+BEHIND\s+LAST ERROR/);
    expect(r.stdout).toMatch(/billing\s+\d\s+o2\s+shop\.order\.placed\s+retrying\s+0\s+\S+\s+0\s+group billing handles shop\.order\.placed up to v2; v3 needs a newer consumer/);
    const json = JSON.parse(cli(['parked', '--db', file, '--group', 'billing', '--json']).stdout) as { key: string; attempts: number }[];
    expect(json).toEqual([expect.objectContaining({ key: 'o2', attempts: 0, behind: 0, eventType: 'shop.order.placed' })]);
    expect(JSON.parse(cli(['parked', '--db', file, '--group', 'nobody', '--json']).stdout)).toEqual([]);
  });
});

describe('factline schema export --asyncapi from a log', () => {
  it('writes the registry of the log as AsyncAPI 3.0', async () => {
    const file = freshFile('export');
    const a = createFactline({ engine: sqliteEngine({ file }), source: 'shop/orders', partitions: 2, logger: quiet });
    await a.publish(V1, { orderId: 'o1', email: 'a@example.com' });
    await a.publish(V2, { orderId: 'o2', email: 'b@example.com' });
    await a.stop();
    const r = cli(['schema', 'export', '--asyncapi', '--db', file]);
    expect(r.code, r.stderr).toBe(0);
    const { Parser } = await import('@asyncapi/parser');
    const { document, diagnostics } = await new Parser().parse(r.stdout);
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(document!.channels().get('shop.order.placed')!.messages().all().map((m) => m.id()).sort()).toEqual(['shop.order.placed.v1', 'shop.order.placed.v2']);
  });
});
