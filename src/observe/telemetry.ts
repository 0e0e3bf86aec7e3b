import type { Engine } from '../core/engine.js';
import type { Envelope } from '../core/envelope.js';

/**
 * What the runtime asks of telemetry. Absent (undefined) when tracing and metrics are off: the
 * runtime then only tests for it, and makes no span, closure or object per event.
 * Implemented over @opentelemetry/api in otel-telemetry.ts, loaded only when that package is there.
 */
export interface Telemetry {
  /** Spans and counts of publishes. */
  startPublish: Tracing['startPublish'];
  /** Spans and durations of handler attempts, per group and partition. */
  forPartition: Tracing['forPartition'];
  /** Set when metrics are on: counts the runtime's retries and dead letters. */
  readonly metrics?: RuntimeMetrics;
  /** Whether spans are made (log lines then carry trace and span ids). */
  readonly tracing: boolean;
  /**
   * Set when metrics are on: registers the gauges read from `engine` at each collection (lag,
   * parked, retrying, open dead letters); returns the function that removes them.
   */
  readonly watchStore?: (engine: Engine, now: () => number, onError: (err: unknown) => void) => () => void;
}

/** The trace context a publish stores in its envelope, and the span that ends with the publish. */
export interface PublishTrace {
  /** Absent when no span is made (metrics only): the envelope gets its own trace context. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Ends the PRODUCER span: with the stored envelope, or the error that failed the publish. */
  end(envelope: Envelope | undefined, partition: number | undefined, error?: unknown): void;
}

export interface Tracing {
  /**
   * Starts the PRODUCER span of a publish of `type`. Its parent is `parent` (the span context of
   * the handler that publishes, from its scope), else an explicit `traceparent`, else the active
   * context.
   */
  startPublish(type: string, parent: unknown, explicit: { readonly traceparent?: string | undefined; readonly tracestate?: string | undefined } | undefined): PublishTrace;
  /** The span maker of one group's work on one partition. */
  forPartition(group: string, partition: number): ProcessTracing;
}

/** The trace and span id of a span, for log lines. */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
}

/** Where a handler attempt runs: its span's context (parent of its publishes) and ids. */
export interface AttemptSpan extends SpanIds {
  /** The OpenTelemetry context holding the span (opaque here). */
  readonly context: unknown;
}

export interface ProcessTracing {
  /**
   * Runs `fn` (one handler attempt) in a CONSUMER span continuing the event's creation context;
   * the span ends when `fn` settles, recording a failure. `fn` receives the span for the handler
   * context (log fields, parent of publishes); undefined when only metrics are on.
   */
  run<R>(event: Envelope, attempt: number, fn: (span: AttemptSpan | undefined) => R): R;
}

/** Counters and histograms the runtime records as it goes (gauges are read from the store). */
export interface RuntimeMetrics {
  /** An attempt failed and the event will be retried. */
  retried(group: string, type: string): void;
  /** An event became a dead letter. */
  deadLettered(group: string, type: string): void;
}
