import { expect, it } from 'vitest';
import { z } from 'zod';
import type { Envelope } from '../core/envelope.js';
import { defineEvent } from '../core/event.js';
import { SchemaConflictError } from '../core/errors.js';
import { testApp } from './fixtures.js';
import { eventually } from './helpers.js';
import type { ContractSubject } from './subject.js';

const TYPE = 'test.order.placed';
const V1 = defineEvent({ type: TYPE, version: 1, schema: z.object({ orderId: z.string(), total: z.number() }), subject: (d) => d.orderId });
const amount = z.object({ value: z.number(), currency: z.string() });
const V2 = defineEvent({
  type: TYPE, version: 2, schema: z.object({ orderId: z.string(), amount }), subject: (d) => d.orderId,
  from: V1, upcast: (d) => ({ orderId: d.orderId, amount: { value: d.total, currency: 'EUR' } }),
});
/** Adds an optional field: v2 consumers read it as v2 (forward compatible). */
const V3Compatible = defineEvent({
  type: TYPE, version: 3, schema: z.object({ orderId: z.string(), amount, note: z.string().optional() }), subject: (d) => d.orderId,
  from: V2, upcast: (d) => d,
});
/** Makes amount optional: backward compatible, but v2 consumers require amount. */
const V3Breaking = defineEvent({
  type: TYPE, version: 3, schema: z.object({ orderId: z.string(), amount: amount.optional() }), subject: (d) => d.orderId,
  from: V2, upcast: (d) => d,
});
/** Adds a required field: breaks BACKWARD against v2. */
const V3Refused = defineEvent({
  type: TYPE, version: 3, schema: z.object({ orderId: z.string(), amount, channel: z.string() }), subject: (d) => d.orderId,
  from: V2, upcast: (d) => ({ ...d, channel: 'web' }),
});
/** Version 2 with another schema than the registered one. */
const V2Changed = defineEvent({ type: TYPE, version: 2, schema: z.object({ orderId: z.string(), amount: z.number() }), subject: (d) => d.orderId });

/** Versions, upcasting and the schema registry, across apps on one store. */
export function schemaContract<Db>(subject: ContractSubject<Db>): void {
  it('delivers v1 events to a v2 handler upcast through the chain, and v2 events as they are', async () => {
    const open = await subject.freshStore();
    const producer = testApp(open());
    const a = await producer.publish(V1, { orderId: 'o1', total: 12 });
    await producer.publish(V2, { orderId: 'o2', amount: { value: 5, currency: 'USD' } });
    await producer.stop();
    const seen: Envelope<{ orderId: string; amount: { value: number; currency: string } }>[] = [];
    const consumer = testApp(open());
    consumer.consumer('billing').on(V2, (e) => void seen.push(e));
    await consumer.start();
    try {
      await eventually('both handled', () => seen.length === 2);
      const byId = new Map(seen.map((e) => [e.data.orderId, e]));
      expect(byId.get('o1')!.data).toEqual({ orderId: 'o1', amount: { value: 12, currency: 'EUR' } });
      expect(byId.get('o1')!.id).toBe(a.id);
      expect(byId.get('o1')!.dataversion).toBe(1);
      expect(byId.get('o2')!.data).toEqual({ orderId: 'o2', amount: { value: 5, currency: 'USD' } });
    } finally {
      await consumer.stop();
    }
  });

  it('reads a forward compatible newer version with the group\'s version', async () => {
    const open = await subject.freshStore();
    const seen: Envelope<{ orderId: string }>[] = [];
    const consumer = testApp(open());
    consumer.consumer('billing').on(V2, (e) => void seen.push(e));
    await consumer.start();
    const producer = testApp(open());
    try {
      await producer.publish(V3Compatible, { orderId: 'o3', amount: { value: 1, currency: 'EUR' }, note: 'gift' });
      await eventually('read as v2', () => seen.length === 1);
      expect(seen[0]!.data).toEqual({ orderId: 'o3', amount: { value: 1, currency: 'EUR' } });
      expect(seen[0]!.dataversion).toBe(3);
      expect(await consumer.engine.admin.listDeadLetters({})).toEqual([]);
    } finally {
      await producer.stop();
      await consumer.stop();
    }
  });

  it('parks the key of a newer version the group cannot read, with a status, until a consumer of that version starts', async () => {
    const open = await subject.freshStore();
    const old: string[] = [];
    const consumer = testApp(open(), { partitions: 1 });
    consumer.consumer('billing', { pollMs: 20 }).on(V2, (e) => void old.push(e.data.orderId));
    await consumer.start();
    const producer = testApp(open(), { partitions: 1 });
    try {
      await producer.publish(V3Breaking, { orderId: 'o4' });
      await producer.publish(V2, { orderId: 'o4', amount: { value: 2, currency: 'EUR' } });
      await producer.publish(V2, { orderId: 'o5', amount: { value: 3, currency: 'EUR' } });
      await eventually('other keys go on', () => old.includes('o5'));
      const parked = await eventually('o4 parked', async () => {
        const rows = await consumer.engine.parked('billing', 0);
        return rows.length === 2 && rows[0]!.errors.length > 0 ? rows : undefined;
      });
      expect(parked[0]!.errors.at(-1)!.message).toMatch(/^group billing handles test\.order\.placed up to v2; v3 needs a newer consumer \(making required field amount optional breaks FORWARD/);
      expect(parked[0]!.attempts).toBe(0);
      expect(old).not.toContain('o4');
      expect(await consumer.engine.admin.listDeadLetters({})).toEqual([]);
    } finally {
      await producer.stop();
      await consumer.stop();
    }
    const seen: { id: string; version: unknown }[] = [];
    const newer = testApp(open(), { partitions: 1 });
    newer.consumer('billing', { pollMs: 20 }).on(V3Breaking, (e) => void seen.push({ id: e.data.orderId, version: e.dataversion }));
    await newer.start();
    try {
      await eventually('o4 handled in order by the v3 consumer', () => seen.length === 2);
      expect(seen).toEqual([{ id: 'o4', version: 3 }, { id: 'o4', version: 2 }]);
      await eventually('no parked row left', async () => (await newer.engine.parked('billing', 0)).length === 0);
    } finally {
      await newer.stop();
    }
  });

  it('refuses a changed schema for a registered version, and an incompatible version while a live group handles the older one', async () => {
    const open = await subject.freshStore();
    const consumer = testApp(open());
    consumer.consumer('billing').on(V2, () => undefined);
    await consumer.start();
    const producer = testApp(open());
    try {
      const incompatible = await producer.publish(V3Refused, { orderId: 'o6', amount: { value: 1, currency: 'EUR' }, channel: 'web' }).catch((e: unknown) => e);
      expect(incompatible).toBeInstanceOf(SchemaConflictError);
      expect(incompatible).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', eventType: TYPE, version: 3, breaks: [{ path: 'channel', rule: 'required-added' }] });
      expect((incompatible as Error).message).toMatch(/adding required field channel breaks BACKWARD: events of v2 may lack it .*live group billing handles v2/);
      const changed = await producer.publish(V2Changed, { orderId: 'o7', amount: 1 }).catch((e: unknown) => e);
      expect(changed).toMatchObject({ code: 'SCHEMA_CHANGED', eventType: TYPE, version: 2 });
      expect((changed as Error).message).toMatch(/field amount/);
      expect((await consumer.engine.admin.heads()).reduce((n, h) => n + h, 0)).toBe(0);
    } finally {
      await producer.stop();
      await consumer.stop();
    }
    const late = testApp(open());
    late.consumer('billing').on(V2Changed, () => undefined);
    await expect(late.start()).rejects.toMatchObject({ code: 'SCHEMA_CHANGED' });
    await late.stop();
  });

  it('lists every registered version with its JSON Schema, fingerprint, registrant, producers and handling groups', async () => {
    const open = await subject.freshStore();
    const consumer = testApp(open());
    const Invoiced = defineEvent({ type: 'test.invoice.issued', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => d.orderId });
    // The first publish of Invoiced happens in the handler's transaction: it registers there.
    consumer.consumer('billing').on(V2, async (e, ctx) => void (await ctx.publish(Invoiced, { orderId: e.data.orderId })));
    await consumer.start();
    // The first publish of V1 happens inside app.transaction().
    await consumer.transaction((tx) => tx.publish(V1, { orderId: 'o8', total: 1 }));
    await consumer.publish(V1, { orderId: 'o9', total: 2 });
    try {
      await eventually('invoices published', async () => (await consumer.engine.admin.heads()).reduce((n, h) => n + h, 0) === 4);
      // A first publish inside a transaction may register beside it (PostgreSQL): soon after.
      await eventually('three versions registered', async () => (await consumer.engine.admin.schemas()).length === 3);
      const schemas = await consumer.engine.admin.schemas();
      expect(schemas.map((s) => [s.type, s.version, s.registeredBy])).toEqual([['test.invoice.issued', 1, 'producer test/contract'], [TYPE, 1, 'producer test/contract'], [TYPE, 2, 'group billing']]);
      for (const s of schemas) {
        expect(s.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(s.compatibility).toBe('BACKWARD');
        expect(JSON.parse(s.schema)).toMatchObject({ type: 'object', required: expect.arrayContaining(['orderId']) });
      }
      expect((await consumer.engine.admin.schemaProducers()).map((p) => [p.type, p.version, p.source])).toEqual([['test.invoice.issued', 1, 'test/contract'], [TYPE, 1, 'test/contract']]);
      expect((await consumer.engine.admin.handlers()).map((h) => [h.group, h.type, h.version])).toEqual([['billing', TYPE, 2]]);
    } finally {
      await consumer.stop();
    }
  });
}
