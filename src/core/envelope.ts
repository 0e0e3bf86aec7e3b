/**
 * The CloudEvents 1.0 envelope in JSON structured mode, with Factline's extension attributes.
 * `source` + `id` identify an event for dedupe.
 */
export interface Envelope<Data = unknown> {
  readonly specversion: '1.0';
  /** UUIDv7 unless the publisher gave its own id. */
  readonly id: string;
  /** The producing service, e.g. `shop/orders`. */
  readonly source: string;
  /** e.g. `shop.order.placed`. */
  readonly type: string;
  /** RFC 3339 time of publishing. */
  readonly time: string;
  /** The entity the event is about. */
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  /** `urn:factline:<type>:<version>`, naming the schema version the data conforms to. */
  readonly dataschema: string;
  readonly data: Data;
  /** Key of per-entity order; defaults to `subject`. */
  readonly partitionkey: string;
  readonly dataversion: number;
  /** The flow this event belongs to: the root event's id unless given. */
  readonly correlationid: string;
  /** The id of the event whose handling published this one; absent on a root event. */
  readonly causationid?: string | undefined;
  /** W3C trace context of the publish. */
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
  /**
   * The log position in its partition, present once stored: the CloudEvents sequence extension,
   * a string that sorts in log order, so zero-padded to 16 digits (`"0000000000000042"`);
   * `Number(envelope.sequence)` is the position (42).
   */
  readonly sequence?: string;
}

/** An event as the log holds it. */
export interface StoredEvent<Data = unknown> {
  readonly partition: number;
  /** Position in the partition, starting at 1. */
  readonly sequence: number;
  readonly envelope: Envelope<Data>;
}

/** An event ready to be appended: its envelope and the partition its key maps to. */
export interface NewEvent {
  readonly partition: number;
  readonly envelope: Envelope;
  /** The envelope as JSON (without `sequence`), when the publisher serialized it already. */
  readonly json?: string;
}

/** The `sequence` extension value of a log position. */
export function formatSequence(sequence: number): string {
  return String(sequence).padStart(16, '0');
}

/** A stored envelope's JSON with its `sequence` attribute appended (no re-serialization). */
export function bodyWithSequence(json: string, sequenceText: string): string {
  return `${json.slice(0, -1)},"sequence":"${sequenceText}"}`;
}

export function schemaUri(type: string, version: number): string {
  return `urn:factline:${type}:${version}`;
}

/** The dedupe identity of an event. */
export function identityOf(envelope: Pick<Envelope, 'source' | 'id'>): string {
  return `${envelope.source}\u0000${envelope.id}`;
}
