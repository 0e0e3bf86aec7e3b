import type { CatalogType } from './catalog.js';
import { isObject, type JsonSchema } from './json-schema.js';

export interface AsyncApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** A name AsyncAPI accepts as a component or channel key. */
const keyOf = (text: string) => text.replace(/[^\w.-]/g, '_');

/** The schema without `$schema` (AsyncAPI's schema format is the default) and with `$defs` refs kept local. */
function payloadOf(schema: JsonSchema): JsonSchema {
  if (!isObject(schema)) return schema;
  const { $schema: _drop, ...rest } = schema;
  return rest;
}

/** The CloudEvents 1.0 attributes every Factline envelope carries, for one type and version. */
function cloudEventsHeaders(type: string, version: number): Record<string, unknown> {
  const str = (description: string) => ({ type: 'string', description });
  return {
    type: 'object',
    description: 'CloudEvents 1.0 attributes (the ce- headers in binary mode; the envelope fields in structured JSON mode)',
    required: ['specversion', 'id', 'source', 'type', 'time', 'subject', 'dataversion'],
    properties: {
      specversion: { type: 'string', const: '1.0' },
      id: str('UUIDv7 of the event; with source, its identity'),
      source: str('the producing service'),
      type: { type: 'string', const: type },
      time: { type: 'string', format: 'date-time' },
      subject: str('the entity the event is about'),
      datacontenttype: { type: 'string', const: 'application/json' },
      dataschema: str('the type and version of data'),
      dataversion: { type: 'integer', const: version },
      partitionkey: str('the key of per-entity order (defaults to subject)'),
      correlationid: str('the flow this event belongs to'),
      causationid: str('the event that caused this one'),
      traceparent: str('W3C trace context'),
      tracestate: str('W3C trace context'),
      sequence: str('the position in its partition, once stored'),
    },
  };
}

/**
 * An AsyncAPI 3.0 document of the catalog: a channel per event type (its address is the type),
 * a message per version with its JSON Schema as payload and the CloudEvents attributes as
 * headers, and a send operation per type listing its versions.
 */
export function asyncApiDocument(catalog: readonly CatalogType[], info: AsyncApiInfo): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const t of catalog) {
    const channel = keyOf(t.type);
    const channelMessages: Record<string, unknown> = {};
    for (const v of t.versions) {
      const name = keyOf(`${t.type}.v${v.version}`);
      messages[name] = {
        name,
        title: `${t.type} v${v.version}`,
        summary: `${t.type}, data version ${v.version} (compatibility ${t.compatibility}; fingerprint ${v.fingerprint})`,
        contentType: 'application/json',
        headers: cloudEventsHeaders(t.type, v.version),
        payload: payloadOf(v.schema),
      };
      channelMessages[name] = { $ref: `#/components/messages/${name}` };
    }
    channels[channel] = { address: t.type, title: t.type, messages: channelMessages };
    operations[keyOf(`publish.${t.type}`)] = {
      action: 'send',
      channel: { $ref: `#/channels/${channel}` },
      messages: Object.keys(channelMessages).map((m) => ({ $ref: `#/channels/${channel}/messages/${m}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
