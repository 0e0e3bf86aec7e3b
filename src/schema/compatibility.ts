import { accepts } from './accepts.js';
import type { SchemaBreak } from './breaks.js';
import { Resolver, type JsonSchema } from './json-schema.js';
import { directionsOf, isTransitive, type CompatibilityMode } from './modes.js';

export interface SchemaVersion {
  readonly version: number;
  readonly schema: JsonSchema;
}

export interface CompareOptions {
  /** How the two are named in messages (default `v1`-style from versions, else `old`/`new`). */
  readonly olderLabel?: string;
  readonly newerLabel?: string;
}

/**
 * The breaks between an older and a newer JSON Schema of one event type under `mode` (empty:
 * compatible). BACKWARD: consumers of the newer version read events of the older one. FORWARD:
 * consumers of the older version read events of the newer one. FULL: both. A transitive mode
 * compares two schemas like its plain mode; `checkHistory` applies it to every older version.
 *
 * What it assumes: a producer writes what its schema declares (properties that the schema does
 * not list are written only when additionalProperties or patternProperties allows them), and a
 * consumer accepts fields its schema does not list unless additionalProperties is false.
 */
export function compareSchemas(older: JsonSchema, newer: JsonSchema, mode: CompatibilityMode, options: CompareOptions = {}): SchemaBreak[] {
  const olderLabel = options.olderLabel ?? 'the old schema';
  const newerLabel = options.newerLabel ?? 'the new schema';
  const out: SchemaBreak[] = [];
  for (const direction of directionsOf(mode)) {
    const [writer, reader] = direction === 'backward' ? [older, newer] : [newer, older];
    out.push(...accepts({ direction, mode, olderLabel, newerLabel, writer: new Resolver(writer), reader: new Resolver(reader), visiting: new Set() }, '', writer, reader));
  }
  return out;
}

/**
 * The breaks of `candidate` against the older versions `history` under `mode`: the latest older
 * version, or every older one for a transitive mode. Versions at or above the candidate's are
 * ignored.
 */
export function checkHistory(history: readonly SchemaVersion[], candidate: SchemaVersion, mode: CompatibilityMode): SchemaBreak[] {
  const older = history.filter((h) => h.version < candidate.version).sort((a, b) => b.version - a.version);
  const against = isTransitive(mode) ? older : older.slice(0, 1);
  return against.flatMap((h) => compareSchemas(h.schema, candidate.schema, mode, { olderLabel: `v${h.version}`, newerLabel: `v${candidate.version}` }));
}

/** Whether events written with `writer` can be read with `reader` (the forward check of two versions). */
export function readableAs(writer: SchemaVersion, reader: SchemaVersion): SchemaBreak[] {
  const [older, newer] = writer.version < reader.version ? [writer, reader] : [reader, writer];
  const mode: CompatibilityMode = writer.version < reader.version ? 'BACKWARD' : 'FORWARD';
  return compareSchemas(older.schema, newer.schema, mode, { olderLabel: `v${older.version}`, newerLabel: `v${newer.version}` });
}
