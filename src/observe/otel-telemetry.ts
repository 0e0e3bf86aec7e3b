import type * as Api from '@opentelemetry/api';
import { instruments, storeGauges } from './otel-metrics.js';
import { processTracing, publishSpan } from './otel-tracing.js';
import type { PublishTrace, Telemetry } from './telemetry.js';

const errorType = (error: unknown) => (error === undefined ? undefined : error instanceof Error ? error.name : typeof error);

/** Telemetry over the OpenTelemetry API: spans when `tracer` is given, instruments when `meter` is. */
export function otelTelemetry(api: typeof Api, tracer: Api.Tracer | undefined, meter: Api.Meter | undefined, mode: 'child' | 'link'): Telemetry {
  const metrics = meter ? instruments(meter) : undefined;
  return {
    tracing: tracer !== undefined,
    ...(metrics ? { metrics } : {}),
    ...(meter ? { watchStore: (engine, now, onError) => storeGauges(meter, engine, now, onError) } : {}),
    startPublish(type, parent, explicit): PublishTrace {
      const started = metrics ? performance.now() : 0;
      const done = (error: unknown) => metrics?.sent(type, (performance.now() - started) / 1000, errorType(error));
      if (tracer) return publishSpan(api, tracer, type, parent, explicit, done);
      return { end: (_e, _p, error) => done(error) };
    },
    forPartition: (group, partition) =>
      processTracing(api, tracer, group, partition, mode, metrics ? (type, seconds, error) => metrics.processed(group, type, partition, seconds, error) : undefined),
  };
}
