/**
 * `--tracing`: the OpenTelemetry SDK registered before any system starts, with a batch span
 * processor and an exporter that drops every span, so the bench measures what making the spans
 * costs Factline (a PRODUCER span per publish, a CONSUMER span per handler attempt), not an
 * exporter's network. Factline finds the global provider when an app opens its log; peers make
 * no spans.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

class DroppingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Registers the SDK globally; returns the exporter (its count of spans) and a shutdown. */
export function enableTracing(): { exporter: DroppingExporter; shutdown(): Promise<void> } {
  const exporter = new DroppingExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 4096, scheduledDelayMillis: 200 })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return { exporter, shutdown: () => provider.shutdown() };
}
