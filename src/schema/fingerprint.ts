import { createHash } from 'node:crypto';
import { ANNOTATIONS, canonicalJson, isObject, type JsonSchema } from './json-schema.js';

/**
 * The schema without what does not change which values it accepts: annotation keywords
 * (`title`, `description`, `examples`, `$schema`, `$comment`; `default` is kept, it changes what a
 * consumer reads) and the order of `required`. Keys are sorted by canonicalJson.
 */
export function canonicalSchema(schema: JsonSchema): unknown {
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) {
      const items = v.map((x) => walk(x));
      return key === 'required' ? [...items].sort() : items;
    }
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // Inside `properties` and `$defs`, keys are names, not keywords.
      if (key !== 'properties' && key !== '$defs' && key !== 'definitions' && key !== 'patternProperties' && ANNOTATIONS.has(k) && k !== 'default' && k !== '$defs' && k !== 'definitions') continue;
      out[k] = walk(x, k);
    }
    return out;
  };
  return walk(schema);
}

/** `sha256:` and the hex SHA-256 of the canonical form: equal for schemas that differ only in annotations or key order. */
export function fingerprint(schema: JsonSchema): string {
  return `sha256:${createHash('sha256').update(canonicalJson(canonicalSchema(schema))).digest('hex')}`;
}
