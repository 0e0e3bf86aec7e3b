import { canonicalJson, isObject, typesOf, type JsonSchema, type Resolver } from './json-schema.js';

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * Whether one JSON value (an enum member or const of the writer) is valid under `schema`:
 * types, enum/const, unions, numeric and string constraints, items and properties. Formats are
 * not checked. Used to decide whether the reader accepts every value of a writer's enum.
 */
export function valueMatches(value: unknown, schema: JsonSchema, resolver: Resolver, depth = 0): boolean {
  if (schema === true) return true;
  if (schema === false || depth > 64) return false;
  const s = schema;
  if (typeof s.$ref === 'string') {
    const target = resolver.target(s.$ref);
    if (target === undefined || !valueMatches(value, target, resolver, depth + 1)) return false;
  }
  if ('const' in s && canonicalJson(s.const) !== canonicalJson(value)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((e) => canonicalJson(e) === canonicalJson(value))) return false;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = s[key];
    if (Array.isArray(list) && !list.some((b) => valueMatches(value, b as JsonSchema, resolver, depth + 1))) return false;
  }
  if (Array.isArray(s.allOf) && !s.allOf.every((b) => valueMatches(value, b as JsonSchema, resolver, depth + 1))) return false;
  const types = typesOf(s);
  const t = jsonType(value);
  if (types && !types.includes(t) && !(t === 'integer' && types.includes('number'))) return false;
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) return false;
    if (typeof s.maximum === 'number' && value > s.maximum) return false;
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return false;
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) return false;
    if (typeof s.multipleOf === 'number' && !Number.isInteger(value / s.multipleOf)) return false;
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof s.minLength === 'number' && length < s.minLength) return false;
    if (typeof s.maxLength === 'number' && length > s.maxLength) return false;
    if (typeof s.pattern === 'string') {
      try {
        if (!new RegExp(s.pattern, 'u').test(value)) return false;
      } catch {
        return false;
      }
    }
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as JsonSchema[]) : [];
    for (let i = 0; i < value.length; i++) {
      const item = i < prefix.length ? prefix[i]! : (s.items as JsonSchema | undefined) ?? true;
      if (!valueMatches(value[i], item, resolver, depth + 1)) return false;
    }
    if (typeof s.minItems === 'number' && value.length < s.minItems) return false;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return false;
  }
  if (isObject(value)) {
    const props = isObject(s.properties) ? s.properties : {};
    if (Array.isArray(s.required) && !s.required.every((k) => typeof k === 'string' && k in value)) return false;
    for (const [k, v] of Object.entries(value)) {
      const sub = (props[k] as JsonSchema | undefined) ?? (s.additionalProperties as JsonSchema | undefined) ?? true;
      if (!valueMatches(v, sub, resolver, depth + 1)) return false;
    }
  }
  return true;
}
