/**
 * JSON Schema (2020-12) as the checker reads it: plain JSON values. Only local references
 * (`#`, `#/$defs/...`, `#/definitions/...`) are resolved; others are reported, never fetched.
 */
export type JsonSchema = boolean | JsonSchemaObject;
export type JsonSchemaObject = { readonly [keyword: string]: unknown };

/** Keywords that describe a schema without constraining its values. */
export const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$anchor', 'title', 'description', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions']);

export function isObject(x: unknown): x is JsonSchemaObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Whether `s` accepts every value: `true`, or an object with annotations only. */
export function acceptsAnything(s: JsonSchema | undefined): boolean {
  if (s === undefined || s === true) return true;
  if (s === false) return false;
  return Object.keys(s).every((k) => ANNOTATIONS.has(k));
}

/** The schema's `type` keyword as a list, or undefined when it has none (any type). */
export function typesOf(s: JsonSchemaObject): string[] | undefined {
  const t = s.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** Whether a value of JSON type `writer` is of one of `reader`'s types (an integer is a number). */
export function typeAccepted(writer: string, reader: readonly string[]): boolean {
  return reader.includes(writer) || (writer === 'integer' && reader.includes('number'));
}

/** The schemas of one side of a comparison, for resolving its local references. */
export class Resolver {
  constructor(readonly root: JsonSchema) {}

  /** The schema a local `$ref` points to, or undefined when it points nowhere. */
  target(ref: string): JsonSchema | undefined {
    if (ref === '#') return this.root;
    if (!ref.startsWith('#/')) return undefined;
    let at: unknown = this.root;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isObject(at) && !Array.isArray(at)) return undefined;
      at = (at as Record<string, unknown>)[key];
    }
    return typeof at === 'boolean' || isObject(at) ? at : undefined;
  }
}

/** `s` without the keywords in `drop`. */
export function without(s: JsonSchemaObject, ...drop: string[]): JsonSchemaObject {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!drop.includes(k)) out[k] = v;
  return out;
}

/** A shallow merge of a union branch (or reference target) with the keywords beside it. */
export function merged(base: JsonSchemaObject, extra: JsonSchema): JsonSchema {
  if (typeof extra === 'boolean') return Object.keys(base).every((k) => ANNOTATIONS.has(k)) ? extra : extra ? base : false;
  const out: Record<string, unknown> = { ...base, ...extra };
  if (isObject(base.properties) && isObject(extra.properties)) out.properties = { ...base.properties, ...extra.properties };
  if (Array.isArray(base.required) && Array.isArray(extra.required)) out.required = [...new Set([...base.required, ...extra.required])];
  return out;
}

/** JSON with object keys sorted: equal for equal values. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
