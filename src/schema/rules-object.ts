import { breakOf, fieldName, type Comparison, type SchemaBreak } from './breaks.js';
import { acceptsAnything, isObject, type JsonSchema, type JsonSchemaObject } from './json-schema.js';
import { boundRules } from './rules-scalar.js';

export type Check = (c: Comparison, path: string, writer: JsonSchema, reader: JsonSchema) => SchemaBreak[];

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function propsOf(s: JsonSchemaObject): Record<string, JsonSchema> {
  return isObject(s.properties) ? (s.properties as Record<string, JsonSchema>) : {};
}

function patternsOf(s: JsonSchemaObject): [RegExp, JsonSchema][] {
  if (!isObject(s.patternProperties)) return [];
  const out: [RegExp, JsonSchema][] = [];
  for (const [p, schema] of Object.entries(s.patternProperties)) {
    try {
      out.push([new RegExp(p, 'u'), schema as JsonSchema]);
    } catch {
      // an invalid pattern covers nothing
    }
  }
  return out;
}

function hasDefault(s: JsonSchema | undefined): boolean {
  return isObject(s) && 'default' in s;
}

/**
 * The schema the reader applies to property `key`: its own, a matching pattern's, or
 * additionalProperties (undefined: accepted as it is).
 */
function readerSchemaFor(r: JsonSchemaObject, key: string): JsonSchema | undefined {
  const own = propsOf(r)[key];
  if (own !== undefined) return own;
  const pattern = patternsOf(r).find(([re]) => re.test(key));
  if (pattern) return pattern[1];
  return r.additionalProperties as JsonSchema | undefined;
}

/**
 * What the writer may write besides its declared properties. A writer writes its declared
 * properties only, unless additionalProperties or patternProperties says otherwise: Factline's
 * producers publish the output of their schema, which holds the declared fields.
 */
function writerExtras(w: JsonSchemaObject): JsonSchema | undefined {
  const add = w.additionalProperties;
  const schemas = patternsOf(w).map(([, s]) => s);
  if (add !== undefined && add !== false) schemas.push(add as JsonSchema);
  if (schemas.length === 0) return undefined;
  return schemas.length === 1 ? schemas[0] : { anyOf: schemas };
}

/**
 * Objects: every field the reader requires is always written; every field the writer may write
 * is accepted by the reader; extra fields the writer allows are accepted too.
 */
export function objectRules(c: Comparison, path: string, w: JsonSchemaObject, r: JsonSchemaObject, check: Check): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  const wProps = propsOf(w);
  const rProps = propsOf(r);
  const wRequired = new Set(Array.isArray(w.required) ? (w.required as string[]) : []);
  const rRequired = Array.isArray(r.required) ? (r.required as string[]) : [];
  for (const key of rRequired) {
    if (hasDefault(rProps[key]) || wRequired.has(key) || hasDefault(wProps[key])) continue;
    const field = fieldName(join(path, key));
    const declared = key in wProps;
    out.push(breakOf(c, join(path, key), 'required-added',
      { older: declared ? `making optional ${field} required` : `adding required ${field}`, newer: declared ? `making required ${field} optional` : `removing required ${field}` },
      { older: `events of ${c.olderLabel} may lack it`, newer: `consumers of ${c.olderLabel} require it` }));
  }
  for (const [key, ws] of Object.entries(wProps)) {
    if (ws === false) continue;
    const rs = readerSchemaFor(r, key);
    const at = join(path, key);
    if (rs === false) {
      out.push(breakOf(c, at, 'property-rejected',
        { older: `removing ${fieldName(at)} from a schema that rejects unknown fields`, newer: `adding ${fieldName(at)}` },
        { older: `events of ${c.olderLabel} hold it and consumers of ${c.newerLabel} reject it`, newer: `consumers of ${c.olderLabel} reject unknown fields (additionalProperties: false)` }));
      continue;
    }
    if (rs === undefined || acceptsAnything(rs)) continue;
    out.push(...check(c, at, ws, rs));
  }
  const extras = writerExtras(w);
  if (extras !== undefined && extras !== false) {
    const rAdd = r.additionalProperties as JsonSchema | undefined;
    if (rAdd === false && patternsOf(r).length === 0) {
      out.push(breakOf(c, path, 'additional-narrowed',
        { older: `rejecting the extra fields of ${fieldName(path)}`, newer: `allowing extra fields in ${fieldName(path)}` },
        { older: `events of ${c.olderLabel} may hold fields consumers of ${c.newerLabel} reject`, newer: `consumers of ${c.olderLabel} reject unknown fields (additionalProperties: false)` }));
    } else if (rAdd !== undefined && rAdd !== true && rAdd !== false) {
      out.push(...check(c, join(path, '*'), extras, rAdd));
    }
    for (const [key, rs] of Object.entries(rProps)) {
      if (!(key in wProps)) out.push(...check(c, join(path, key), extras, rs));
    }
  }
  out.push(...boundRules(c, path, w, r, ['minProperties'], ['maxProperties'], 'field count'));
  return out;
}
