import type * as Api from '@opentelemetry/api';
import type { Envelope } from '../core/envelope.js';
import { ATTR, SYSTEM } from './semconv.js';
import type { AttemptSpan, ProcessTracing, PublishTrace } from './telemetry.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context a `traceparent` (and `tracestate`) names, or undefined when it is not W3C version 00. */
export function parseTraceparent(api: typeof Api, traceparent: string | undefined, tracestate: string | undefined): Api.SpanContext | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return undefined;
  const sc: Api.SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & 1, isRemote: true };
  if (tracestate) sc.traceState = api.createTraceState(tracestate);
  return api.isSpanContextValid(sc) ? sc : undefined;
}

export function formatTraceparent(sc: Api.SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`;
}

function failed(api: typeof Api, span: Api.Span, error: unknown): string {
  const type = error instanceof Error ? error.name : typeof error;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute(ATTR.errorType, type);
  return type;
}

function eventAttributes(e: Envelope): Api.Attributes {
  return {
    [ATTR.messageId]: e.id,
    [ATTR.conversationId]: e.correlationid,
    [ATTR.ceId]: e.id,
    [ATTR.ceSource]: e.source,
    [ATTR.ceType]: e.type,
    [ATTR.ceSubject]: e.subject,
    [ATTR.ceSpecVersion]: e.specversion,
    [ATTR.subject]: e.subject,
    ...(e.causationid ? { [ATTR.causationId]: e.causationid } : {}),
  };
}

/**
 * The PRODUCER span of one publish (`publish <type>`, operation type `send`: its context is the
 * creation context stored in the envelope).
 */
export function publishSpan(
  api: typeof Api, tracer: Api.Tracer, type: string, parent: unknown,
  explicit: { readonly traceparent?: string | undefined; readonly tracestate?: string | undefined } | undefined,
  done: (error: unknown) => void,
): PublishTrace {
  let ctx = parent as Api.Context | undefined;
  if (!ctx) {
    const given = parseTraceparent(api, explicit?.traceparent, explicit?.tracestate);
    ctx = given ? api.trace.setSpanContext(api.ROOT_CONTEXT, given) : api.context.active();
  }
  const span = tracer.startSpan(`publish ${type}`, {
    kind: api.SpanKind.PRODUCER,
    attributes: { [ATTR.system]: SYSTEM, [ATTR.operationName]: 'publish', [ATTR.operationType]: 'send', [ATTR.destination]: type },
  }, ctx);
  const sc = span.spanContext();
  const valid = api.isSpanContextValid(sc);
  const state = sc.traceState?.serialize();
  return {
    ...(valid ? { traceparent: formatTraceparent(sc) } : {}),
    ...(valid && state ? { tracestate: state } : {}),
    end(envelope, partition, error) {
      if (envelope) span.setAttributes(eventAttributes(envelope));
      if (partition !== undefined) span.setAttribute(ATTR.partition, String(partition));
      if (error !== undefined) failed(api, span, error);
      span.end();
      done(error);
    },
  };
}

/**
 * CONSUMER spans (`process <group>`, operation type `process`) of one group's handler attempts on
 * one partition. `child`: the span continues the event's creation context (one trace per flow);
 * `link`: it starts a trace of its own with a link to it (the conventions' default).
 */
export function processTracing(
  api: typeof Api, tracer: Api.Tracer | undefined, group: string, partition: number, mode: 'child' | 'link',
  done: ((type: string, seconds: number, error: string | undefined) => void) | undefined,
): ProcessTracing {
  const base: Api.Attributes = {
    [ATTR.system]: SYSTEM, [ATTR.operationName]: 'process', [ATTR.operationType]: 'process',
    [ATTR.consumerGroup]: group, [ATTR.partition]: String(partition),
  };
  return {
    run(event, attempt, fn) {
      const started = done ? performance.now() : 0;
      let span: Api.Span | undefined;
      let info: AttemptSpan | undefined;
      let ctx: Api.Context = api.ROOT_CONTEXT;
      if (tracer) {
        const creation = parseTraceparent(api, event.traceparent, event.tracestate);
        const parent = creation && mode === 'child' ? api.trace.setSpanContext(api.ROOT_CONTEXT, creation) : api.context.active();
        span = tracer.startSpan(`process ${group}`, {
          kind: api.SpanKind.CONSUMER,
          attributes: { ...base, [ATTR.destination]: event.type, [ATTR.attempt]: attempt, ...eventAttributes(event) },
          ...(creation && mode === 'link' ? { links: [{ context: creation }] } : {}),
        }, parent);
        ctx = api.trace.setSpan(parent, span);
        const sc = span.spanContext();
        info = { context: ctx, traceId: sc.traceId, spanId: sc.spanId };
      }
      const finish = (error: unknown, failedNow: boolean) => {
        const type = failedNow && span ? failed(api, span, error) : failedNow ? (error instanceof Error ? error.name : typeof error) : undefined;
        span?.end();
        done?.(event.type, (performance.now() - started) / 1000, type);
      };
      let result: ReturnType<typeof fn>;
      try {
        result = span ? api.context.with(ctx, fn, undefined, info) : fn(undefined);
      } catch (err) {
        finish(err, true);
        throw err;
      }
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => {
            finish(undefined, false);
            return value;
          },
          (err: unknown) => {
            finish(err, true);
            throw err;
          },
        ) as typeof result;
      }
      finish(undefined, false);
      return result;
    },
  };
}
