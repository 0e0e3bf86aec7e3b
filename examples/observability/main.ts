/**
 * Traces, metrics, logs, health and "did it go through?" in one process:
 *   npx tsx --conditions=factline-source examples/observability/main.ts
 * An order flow on a temporary SQLite log, with the OpenTelemetry SDK keeping spans in memory and
 * a Prometheus scrape endpoint; prints the spans of one order's trace, a few metrics from the
 * scrape, the app's health, and the answer of `admin.trace` for the order.
 */
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { createFactline, defineEvent, healthHandler } from 'factline';
import { sqliteEngine } from 'factline/sqlite';

// 1. The SDK, registered before the app opens its log (a real service would export over OTLP).
const spans = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
const prometheus = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [prometheus] });

const OrderPlaced = defineEvent({ type: 'shop.order.placed', version: 1, schema: z.object({ orderId: z.string(), total: z.number() }), subject: (d) => d.orderId });
const InvoiceIssued = defineEvent({ type: 'shop.invoice.issued', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => d.orderId });

const file = join(mkdtempSync(join(tmpdir(), 'factline-observability-')), 'shop.db');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = createFactline({ engine: sqliteEngine({ file }), source: 'shop/orders', partitions: 4, logger: quiet, telemetry: { meterProvider } });

let scoring = 0;
app.consumer('billing').on(OrderPlaced, async (e, ctx) => {
  await ctx.publish(InvoiceIssued, { orderId: e.data.orderId });
});
app.consumer('ledger').on(InvoiceIssued, () => undefined);
app.consumer('fraud', { retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 20 } }).on(OrderPlaced, () => {
  if (++scoring === 1) throw new Error('risk service timed out'); // the first attempt fails, the retry passes
});

// 2. Health and metrics over HTTP, on a free port.
const metricsAndHealth = createServer((req, res) => (req.url === '/metrics' ? prometheus.getMetricsRequestHandler(req, res) : healthHandler(app)(req, res)));
await new Promise<void>((resolve) => metricsAndHealth.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(metricsAndHealth.address() as { port: number }).port}`;

await app.start();
const order = await app.publish(OrderPlaced, { orderId: 'order-123', total: 42 });

// 3. Wait until the flow is done, as an operator would ask: did order-123 go through?
let flow = await app.engine.admin.trace('order-123');
for (let i = 0; i < 200 && !(flow.verdict.state === 'complete' && flow.events.length === 2); i++) {
  await new Promise((r) => setTimeout(r, 25));
  flow = await app.engine.admin.trace('order-123');
}
console.log(`did order-123 go through? ${flow.verdict.summary}`);
for (const e of flow.events) console.log(`  ${e.type}: ${e.outcomes.map((o) => `${o.group ?? '-'} ${o.state}`).join(', ')}`);

// 4. The spans of the order's trace, as a tree.
const finished = spans.getFinishedSpans();
const children = (parent: string | undefined) => finished.filter((s) => s.parentSpanContext?.spanId === parent && s.spanContext().traceId === order.traceparent!.slice(3, 35));
const show = (s: ReadableSpan, depth: number): void => {
  const attempt = s.attributes['factline.attempt'] === undefined ? '' : ` attempt ${String(s.attributes['factline.attempt'])}`;
  console.log(`${'  '.repeat(depth + 1)}${s.name}${attempt}${s.status.code === 2 ? ` (failed: ${s.status.message})` : ''}`);
  for (const c of children(s.spanContext().spanId)) show(c, depth + 1);
};
console.log(`trace ${order.traceparent!.slice(3, 35)}:`);
for (const root of children(undefined)) show(root, 0);

// 5. A few lines of the Prometheus scrape, and the health.
const scrape = await (await fetch(`${base}/metrics`)).text();
console.log('metrics:');
for (const line of scrape.split('\n').filter((l) => /^(messaging_client_sent_messages_total|factline_retries_total)\{|^factline_consumer_lag\{.*partition_id="0"/.test(l))) console.log(`  ${line.replace(/,?otel_scope_name="factline"/, '')}`);
const health = await (await fetch(`${base}/health/ready`)).json() as { ready: boolean; store: { ok: boolean }; groups: { group: string; leasesHeld: boolean }[] };
console.log(`health: ready ${health.ready}, store ok ${health.store.ok}, groups ${health.groups.map((g) => `${g.group} ${g.leasesHeld ? 'holds its leases' : 'has no leases'}`).join(', ')}`);

await app.stop();
await meterProvider.shutdown();
metricsAndHealth.close();
