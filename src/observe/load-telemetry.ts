import type * as ApiModule from '@opentelemetry/api';
import { FactlineError } from '../core/errors.js';
import type { Telemetry } from './telemetry.js';
import { otelTelemetry } from './otel-telemetry.js';

/**
 * How an app makes spans and metrics (OpenTelemetry, through the optional peer dependency
 * `@opentelemetry/api`). Decided once, when the app opens its log (`start()`, or its first
 * publish or transaction): register the SDK's providers before that.
 */
export interface TelemetryOptions {
  /**
   * `'auto'` (default): spans when `@opentelemetry/api` is installed and a global tracer provider
   * is registered (an SDK was started). `true`: spans through the global provider (the API must be
   * installed). `false`: no spans.
   */
  readonly tracing?: boolean | 'auto';
  /** The same for metrics, with the global meter provider. */
  readonly metrics?: boolean | 'auto';
  /** A tracer provider to use instead of the global one (implies tracing). */
  readonly tracerProvider?: { getTracer(name: string, version?: string): unknown };
  /** A meter provider to use instead of the global one (implies metrics), e.g. one with a Prometheus reader. */
  readonly meterProvider?: { getMeter(name: string, version?: string): unknown };
  /**
   * How a handler's span relates to the publish that made the event: `'child'` (default) continues
   * its trace, so a whole flow is one trace; `'link'` starts a trace per attempt, linked to it.
   */
  readonly processSpans?: 'child' | 'link';
}

type Api = typeof ApiModule;

let loading: Promise<Api | undefined> | undefined;

/** Imports `@opentelemetry/api` once per process; undefined when it is not installed. */
function loadApi(): Promise<Api | undefined> {
  loading ??= import('@opentelemetry/api').then(
    (mod) => mod as unknown as Api,
    () => undefined,
  );
  return loading;
}

const NAME = 'factline';

function globalTracerRegistered(api: Api): boolean {
  const provider = api.trace.getTracerProvider();
  if (!(provider instanceof api.ProxyTracerProvider)) return true;
  return provider.getDelegate() !== new api.ProxyTracerProvider().getDelegate();
}

function globalMeterRegistered(api: Api): boolean {
  const noop = createNoopMeterClass(api);
  return !(api.metrics.getMeter(NAME) instanceof noop);
}

function createNoopMeterClass(api: Api): abstract new (...args: never[]) => unknown {
  return api.createNoopMeter().constructor as abstract new (...args: never[]) => unknown;
}

/**
 * The app's telemetry, or undefined when neither spans nor metrics are made (then nothing of
 * OpenTelemetry runs at all). Throws TELEMETRY_UNAVAILABLE when asked for explicitly without the
 * API installed.
 */
export async function loadTelemetry(options: TelemetryOptions | false | undefined, version: string): Promise<Telemetry | undefined> {
  if (options === false) return undefined;
  const o = options ?? {};
  if (o.tracing === false && o.metrics === false) return undefined;
  const api = await loadApi();
  const wanted = o.tracing === true || o.metrics === true || o.tracerProvider !== undefined || o.meterProvider !== undefined;
  if (!api) {
    if (wanted) throw new FactlineError('TELEMETRY_UNAVAILABLE', 'telemetry was asked for, but @opentelemetry/api is not installed: npm install @opentelemetry/api (and an SDK)');
    return undefined;
  }
  const tracing = o.tracing !== false && (o.tracerProvider !== undefined || o.tracing === true || globalTracerRegistered(api));
  const metering = o.metrics !== false && (o.meterProvider !== undefined || o.metrics === true || globalMeterRegistered(api));
  if (!tracing && !metering) return undefined;
  const tracer = tracing ? ((o.tracerProvider?.getTracer(NAME, version) as ApiModule.Tracer | undefined) ?? api.trace.getTracer(NAME, version)) : undefined;
  const meter = metering ? ((o.meterProvider?.getMeter(NAME, version) as ApiModule.Meter | undefined) ?? api.metrics.getMeter(NAME, version)) : undefined;
  return otelTelemetry(api, tracer, meter, o.processSpans ?? 'child');
}
