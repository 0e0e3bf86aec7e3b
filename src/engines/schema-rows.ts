import type { SchemaProducer, SchemaRecord } from '../core/engine.js';
import type { CompatibilityMode } from '../core/compatibility-mode.js';

/** A row of the schema registry table, as both engines store it. */
export interface SchemaRow {
  type: string;
  version: number | string;
  fingerprint: string;
  schema: string;
  compatibility: string;
  registered_by: string;
  registered_at: number | string;
}

export interface SchemaProducerRow {
  type: string;
  version: number | string;
  source: string;
  first_at: number | string;
  last_at: number | string;
}

export function toSchemaRecord(r: SchemaRow): SchemaRecord {
  return {
    type: r.type, version: Number(r.version), fingerprint: r.fingerprint, schema: r.schema,
    compatibility: r.compatibility as CompatibilityMode, registeredBy: r.registered_by, registeredAt: Number(r.registered_at),
  };
}

export function toSchemaProducer(r: SchemaProducerRow): SchemaProducer {
  return { type: r.type, version: Number(r.version), source: r.source, firstAt: Number(r.first_at), lastAt: Number(r.last_at) };
}
