import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger } from '../../src/testing/helpers.js';
import { InvoiceIssued, OrderPlaced, freshFile, parentOf, registerTracing } from './otel-fixture.js';

let otel: ReturnType<typeof registerTracing> | undefined;
afterEach(() => {
  otel?.unregister();
  otel = undefined;
});

const byName = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe('OpenTelemetry traces', () => {
  it('makes one trace of a flow: publish, a handler that publishes, a second group handling that, a failed attempt and its retry', async () => {
    otel = registerTracing();
    const app = createFactline({ engine: sqliteEngine({ file: freshFile('traces') }), source: 'test/shop', partitions: 2, logger: memoryLogger() });
    let flakyCalls = 0;
    app.consumer('billing').on(OrderPlaced, async (e, ctx) => {
      await ctx.publish(InvoiceIssued, { orderId: e.data.orderId });
    });
    app.consumer('ledger').on(InvoiceIssued, () => undefined);
    app.consumer('flaky', { retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 20, jitter: 0 } }).on(OrderPlaced, () => {
      if (++flakyCalls === 1) throw new Error('scoring service unavailable');
    });
    await app.start();
    try {
      // An ambient span (an HTTP request's) is the parent of the publish.
      const tracer = trace.getTracer('test');
      const root = tracer.startSpan('POST /orders');
      const placed = await context.with(trace.setSpan(context.active(), root), () => app.publish(OrderPlaced, { orderId: 'o-1' }));
      root.end();
      const spans = await eventually('every span', () => {
        const s = otel!.exporter.getFinishedSpans();
        return byName(s, 'process ledger').length === 1 && byName(s, 'process flaky').length === 2 && byName(s, 'process billing').length >= 1 ? s : undefined;
      });
      const traceId = root.spanContext().traceId;
      expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));

      const [publish] = byName(spans, 'publish test.order.placed');
      expect(publish!.kind).toBe(SpanKind.PRODUCER);
      expect(parentOf(publish!)).toBe(root.spanContext().spanId);
      expect(placed.traceparent).toBe(`00-${traceId}-${publish!.spanContext().spanId}-01`);
      expect(publish!.attributes).toMatchObject({
        'messaging.system': 'factline', 'messaging.operation.name': 'publish', 'messaging.operation.type': 'send',
        'messaging.destination.name': 'test.order.placed', 'messaging.message.id': placed.id, 'messaging.message.conversation_id': placed.correlationid,
        'cloudevents.event_id': placed.id, 'cloudevents.event_source': 'test/shop', 'cloudevents.event_subject': 'o-1',
      });

      const billing = byName(spans, 'process billing').at(-1)!;
      expect(billing.kind).toBe(SpanKind.CONSUMER);
      expect(parentOf(billing)).toBe(publish!.spanContext().spanId);
      expect(billing.attributes).toMatchObject({
        'messaging.system': 'factline', 'messaging.operation.name': 'process', 'messaging.operation.type': 'process',
        'messaging.destination.name': 'test.order.placed', 'messaging.consumer.group.name': 'billing',
        'messaging.message.id': placed.id, 'messaging.message.conversation_id': placed.correlationid,
        'factline.attempt': 1, 'factline.subject': 'o-1',
      });
      expect(billing.attributes['messaging.destination.partition.id']).toMatch(/^[01]$/);

      const [invoicePublish] = byName(spans, 'publish test.invoice.issued');
      expect(invoicePublish!.kind).toBe(SpanKind.PRODUCER);
      expect(parentOf(invoicePublish!)).toBe(billing.spanContext().spanId);
      const [ledger] = byName(spans, 'process ledger');
      expect(parentOf(ledger!)).toBe(invoicePublish!.spanContext().spanId);
      expect(ledger!.attributes).toMatchObject({ 'messaging.consumer.group.name': 'ledger', 'factline.subject': 'inv-o-1', 'factline.causation_id': placed.id });

      const [failed, retried] = byName(spans, 'process flaky').sort((a, b) => Number(a.attributes['factline.attempt']) - Number(b.attributes['factline.attempt']));
      expect(failed!.attributes['factline.attempt']).toBe(1);
      expect(failed!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'scoring service unavailable' });
      expect(failed!.attributes['error.type']).toBe('Error');
      expect(failed!.events.map((e) => e.name)).toEqual(['exception']);
      expect(retried!.attributes['factline.attempt']).toBe(2);
      expect(retried!.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(parentOf(retried!)).toBe(publish!.spanContext().spanId);
    } finally {
      await app.stop();
    }
  });

  it('traces an effect handler: its span covers the outside call, and its commit step\'s publishes are its children', async () => {
    otel = registerTracing();
    const app = createFactline({ engine: sqliteEngine({ file: freshFile('effects') }), source: 'test/shop', partitions: 1, logger: memoryLogger() });
    app.consumer('mailer').effect(OrderPlaced, async (e) => {
      await new Promise((r) => setTimeout(r, 5));
      return async (ctx) => {
        await ctx.publish(InvoiceIssued, { orderId: e.data.orderId });
      };
    });
    await app.start();
    try {
      await app.publish(OrderPlaced, { orderId: 'o-5' });
      const spans = await eventually('the invoice publish', () => (byName(otel!.exporter.getFinishedSpans(), 'publish test.invoice.issued').length ? otel!.exporter.getFinishedSpans() : undefined));
      const [mailer] = byName(spans, 'process mailer');
      expect(mailer!.kind).toBe(SpanKind.CONSUMER);
      expect(mailer!.attributes['messaging.consumer.group.name']).toBe('mailer');
      const [invoice] = byName(spans, 'publish test.invoice.issued');
      expect(parentOf(invoice!)).toBe(mailer!.spanContext().spanId);
      expect(invoice!.spanContext().traceId).toBe(mailer!.spanContext().traceId);
    } finally {
      await app.stop();
    }
  });

  it('links the handler span to the creation context instead, when asked', async () => {
    otel = registerTracing();
    const app = createFactline({ engine: sqliteEngine({ file: freshFile('links') }), source: 'test/shop', partitions: 1, logger: memoryLogger(), telemetry: { processSpans: 'link' } });
    app.consumer('billing').on(OrderPlaced, () => undefined);
    await app.start();
    try {
      await app.publish(OrderPlaced, { orderId: 'o-2' });
      const spans = await eventually('the process span', () => (byName(otel!.exporter.getFinishedSpans(), 'process billing').length ? otel!.exporter.getFinishedSpans() : undefined));
      const [publish] = byName(spans, 'publish test.order.placed');
      const [processed] = byName(spans, 'process billing');
      expect(processed!.spanContext().traceId).not.toBe(publish!.spanContext().traceId);
      expect(processed!.links.map((l) => l.context.spanId)).toEqual([publish!.spanContext().spanId]);
    } finally {
      await app.stop();
    }
  });

  it('makes no span with telemetry: false, and none without a registered provider', async () => {
    otel = registerTracing();
    const off = createFactline({ engine: sqliteEngine({ file: freshFile('off') }), source: 'test/shop', partitions: 1, logger: memoryLogger(), telemetry: false });
    off.consumer('billing').on(OrderPlaced, () => undefined);
    await off.start();
    const e = await off.publish(OrderPlaced, { orderId: 'o-3' });
    await eventually('handled', async () => (await off.engine.admin.status()).every((s) => s.position === s.head));
    await off.stop();
    expect(otel.exporter.getFinishedSpans()).toEqual([]);
    expect(e.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    otel.unregister();

    // No provider registered: 'auto' finds none and makes nothing.
    const bare = createFactline({ engine: sqliteEngine({ file: freshFile('bare') }), source: 'test/shop', partitions: 1, logger: memoryLogger() });
    bare.consumer('billing').on(OrderPlaced, () => undefined);
    await bare.start();
    await bare.publish(OrderPlaced, { orderId: 'o-4' });
    await eventually('handled', async () => (await bare.engine.admin.status()).every((s) => s.position === s.head));
    await bare.stop();
    expect(otel.exporter.getFinishedSpans()).toEqual([]);
  });
});
