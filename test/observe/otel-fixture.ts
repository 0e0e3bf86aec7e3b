import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { defineEvent } from '../../src/index.js';

export const OrderPlaced = defineEvent({ type: 'test.order.placed', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => d.orderId });
export const InvoiceIssued = defineEvent({ type: 'test.invoice.issued', version: 1, schema: z.object({ orderId: z.string() }), subject: (d) => `inv-${d.orderId}` });

export function freshFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'factline-otel-')), `${name}.db`);
}

/** The OpenTelemetry SDK with an in-memory exporter, registered globally with an AsyncLocalStorage context manager. */
export function registerTracing(): { exporter: InMemorySpanExporter; provider: BasicTracerProvider; unregister(): void } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(provider);
  return {
    exporter,
    provider,
    unregister() {
      trace.disable();
      context.disable();
    },
  };
}

export const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
