import type { Envelope, NewEvent } from '../core/envelope.js';
import { schemaUri } from '../core/envelope.js';
import type { EventDefinition } from '../core/event.js';
import { childTraceparent, newTraceparent, uuidv7 } from '../core/ids.js';
import { partitionOf } from '../core/partition.js';
import { FactlineError } from '../core/errors.js';
import { LIMITS, checkAttribute, checkJsonData } from './limits.js';

/** Per-publish choices a caller may make. */
export interface PublishOptions {
  /** Your own id (for dedupe of a retried publish: same source + id is handled once). Default UUIDv7. */
  readonly id?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** The event being handled when a publish happens inside a handler. */
export interface Cause {
  readonly id: string;
  readonly correlationid: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

let lastMs = -1;
let lastIso = '';

/** RFC 3339 time of `ms`, computed once per millisecond. */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Builds the stored envelope of already-validated data. */
export function buildEnvelope<Data>(
  def: EventDefinition<string, unknown, Data>,
  data: Data,
  source: string,
  partitions: number,
  nowMs: number,
  options: PublishOptions = {},
  cause?: Cause,
  maxEventBytes: number = LIMITS.eventBytes,
  trace?: { readonly traceparent?: string | undefined; readonly tracestate?: string | undefined },
): NewEvent {
  const id = options.id ?? uuidv7(nowMs);
  if (options.id !== undefined) checkAttribute(def.type, 'id', id, LIMITS.idBytes);
  checkAttribute(def.type, 'type', def.type, LIMITS.typeBytes);
  const subject = def.subject(data);
  const partitionkey = def.partitionKey(data);
  checkAttribute(def.type, 'subject', subject, LIMITS.subjectBytes);
  checkAttribute(def.type, 'partition key', partitionkey, LIMITS.subjectBytes);
  checkJsonData(def.type, data);
  if (options.correlationId !== undefined) checkAttribute(def.type, 'correlation id', options.correlationId, LIMITS.subjectBytes);
  if (options.causationId !== undefined) checkAttribute(def.type, 'causation id', options.causationId, LIMITS.subjectBytes);
  if (options.traceparent !== undefined) checkAttribute(def.type, 'traceparent', options.traceparent, LIMITS.subjectBytes);
  if (options.tracestate !== undefined) checkAttribute(def.type, 'tracestate', options.tracestate, LIMITS.subjectBytes);
  const parentTrace = options.traceparent ?? cause?.traceparent;
  // With tracing, the publish's span context is stored as it is: it is the creation context.
  const own = trace?.traceparent;
  const tracestate = own ? trace.tracestate : options.tracestate ?? cause?.tracestate;
  const causationid = options.causationId ?? cause?.id;
  // Every envelope has the same shape (absent attributes are undefined, which JSON leaves out):
  // one hidden class, fast to build and to serialize.
  const envelope: Envelope = {
    specversion: '1.0',
    id,
    source,
    type: def.type,
    time: isoTime(nowMs),
    subject,
    datacontenttype: 'application/json',
    dataschema: schemaUri(def.type, def.version),
    data,
    partitionkey,
    dataversion: def.version,
    correlationid: options.correlationId ?? cause?.correlationid ?? id,
    causationid,
    traceparent: own ?? (parentTrace ? childTraceparent(parentTrace) : newTraceparent()),
    tracestate,
  };
  const json = JSON.stringify(envelope);
  // A string of n UTF-16 units takes at most 3n bytes: count exactly only when it might be over.
  if (json.length * 3 > maxEventBytes) {
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > maxEventBytes) {
      throw new FactlineError('EVENT_TOO_LARGE', `cannot publish ${def.type}: the event is ${bytes} bytes as JSON; the limit is ${maxEventBytes} bytes (maxEventBytes). Store large payloads elsewhere and publish a reference`);
    }
  }
  return { partition: partitionOf(partitionkey, partitions), envelope, json };
}
