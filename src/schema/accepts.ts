import { breakOf, describeValue, fieldName, readers, type Comparison, type SchemaBreak } from './breaks.js';
import { acceptsAnything, canonicalJson, isObject, merged, typeAccepted, typesOf, without, type JsonSchema, type JsonSchemaObject, type Resolver } from './json-schema.js';
import { arrayRules } from './rules-array.js';
import { objectRules } from './rules-object.js';
import { numberRules, stringRules } from './rules-scalar.js';
import { valueMatches } from './value-match.js';

/** Keywords whose meaning the checker does not reason about: a reader that adds or changes one is reported. */
const UNSUPPORTED = ['not', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'minContains', 'maxContains'];

const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string'];

/**
 * Resolves a local `$ref` (its siblings kept, as 2020-12 does). Returns the schema and the
 * reference it came from, or a missing reference.
 */
function deref(s: JsonSchema, resolver: Resolver): { schema: JsonSchema; ref?: string; missing?: string } {
  let schema = s;
  let ref: string | undefined;
  for (let hops = 0; isObject(schema) && typeof schema.$ref === 'string' && hops < 32; hops++) {
    ref = schema.$ref;
    const target = resolver.target(ref);
    if (target === undefined) return { schema, missing: ref };
    schema = merged(without(schema, '$ref'), target);
  }
  return ref === undefined ? { schema } : { schema, ref };
}

/** The branches of a union (anyOf/oneOf), each merged with the keywords beside it. */
function branchesOf(s: JsonSchemaObject): JsonSchema[] | undefined {
  const list = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (!list) return undefined;
  const rest = without(s, 'anyOf', 'oneOf');
  return (list as JsonSchema[]).map((b) => merged(rest, b));
}

/** One branch per type of a multi-type schema (`type: ["string", "null"]`). */
function splitByType(s: JsonSchemaObject): JsonSchemaObject[] {
  const types = typesOf(s);
  if (!types || types.length < 2) return [s];
  return types.map((t) => ({ ...s, type: t }));
}

/**
 * Every break found when data written under `writer` is read with `reader`: empty when every
 * value the writer allows is valid under the reader. Where the checker cannot prove that, it
 * reports a break (it never calls an incompatible change compatible on purpose).
 */
export function accepts(c: Comparison, path: string, writerIn: JsonSchema, readerIn: JsonSchema): SchemaBreak[] {
  const w = deref(writerIn, c.writer);
  const r = deref(readerIn, c.reader);
  if (r.missing) {
    return [breakOf(c, path, 'ref-unresolved', { older: `a reference ${r.missing} that cannot be resolved at ${fieldName(path)}`, newer: `a reference ${r.missing} that cannot be resolved at ${fieldName(path)}` }, readers(c))];
  }
  if (w.ref && r.ref) {
    const pair = `${w.ref}|${r.ref}`;
    if (c.visiting.has(pair)) return [];
    c.visiting.add(pair);
    try {
      return compare(c, path, w.missing ? true : w.schema, r.schema);
    } finally {
      c.visiting.delete(pair);
    }
  }
  return compare(c, path, w.missing ? true : w.schema, r.schema);
}

function compare(c: Comparison, path: string, writer: JsonSchema, reader: JsonSchema): SchemaBreak[] {
  if (writer === false || acceptsAnything(reader)) return [];
  if (reader === false) {
    return [breakOf(c, path, 'rejected-value', { older: `rejecting every value of ${fieldName(path)}`, newer: `allowing values in ${fieldName(path)}` }, readers(c))];
  }
  const w: JsonSchemaObject = writer === true ? {} : writer;
  const r = reader as JsonSchemaObject;
  if ('const' in w || Array.isArray(w.enum)) return enumRules(c, path, w, r);
  const wBranches = branchesOf(w);
  if (wBranches) return wBranches.flatMap((b) => accepts(c, path, b, r));
  if (Array.isArray(w.allOf)) {
    const rest = without(w, 'allOf');
    if ((w.allOf as JsonSchema[]).some((m) => accepts(c, path, merged(rest, m), r).length === 0)) return [];
    return accepts(c, path, (w.allOf as JsonSchema[]).reduce<JsonSchema>((acc, m) => (isObject(acc) ? merged(acc, m) : acc), rest), r);
  }
  if (Array.isArray(r.allOf)) {
    const rest = without(r, 'allOf');
    return [accepts(c, path, w, rest), ...(r.allOf as JsonSchema[]).map((m) => accepts(c, path, w, m))].flat();
  }
  const rBranches = branchesOf(r);
  if (rBranches) return splitByType(w).flatMap((wb) => unionRules(c, path, wb, rBranches));
  return typed(c, path, w, r);
}

/** A writer branch must be accepted by at least one branch of the reader's union. */
function unionRules(c: Comparison, path: string, w: JsonSchemaObject, branches: JsonSchema[]): SchemaBreak[] {
  let best: SchemaBreak[] | undefined;
  for (const b of branches) {
    const found = accepts(c, path, w, b);
    if (found.length === 0) return [];
    const bTypes = isObject(b) ? typesOf(b) : undefined;
    const wTypes = typesOf(w);
    const sameType = bTypes && wTypes && wTypes.every((t) => typeAccepted(t, bTypes));
    if (sameType && (!best || found.length < best.length)) best = found;
  }
  if (best) return best;
  const what = typesOf(w)?.join(' or ') ?? 'value';
  return [breakOf(c, path, 'union-branch',
    { older: `removing the ${what} branch of ${fieldName(path)}`, newer: `adding a ${what} branch to ${fieldName(path)}` },
    { older: `events of ${c.olderLabel} may hold a ${what} there`, newer: `consumers of ${c.olderLabel} accept no ${what} there` })];
}

/** Writer enum or const: every value must be valid under the reader. */
function enumRules(c: Comparison, path: string, w: JsonSchemaObject, r: JsonSchemaObject): SchemaBreak[] {
  const values = 'const' in w ? [w.const] : (w.enum as unknown[]);
  const out: SchemaBreak[] = [];
  for (const v of values) {
    if (valueMatches(v, r, c.reader)) continue;
    out.push(breakOf(c, path, 'enum-value',
      { older: `removing the value ${describeValue(v)} from ${fieldName(path)}`, newer: `adding the value ${describeValue(v)} to ${fieldName(path)}` },
      { older: `events of ${c.olderLabel} may hold it`, newer: `consumers of ${c.olderLabel} reject it` }));
  }
  return out;
}

/** Types, then the keywords of each type the writer may write. */
function typed(c: Comparison, path: string, w: JsonSchemaObject, r: JsonSchemaObject): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  const wTypes = typesOf(w);
  const rTypes = typesOf(r);
  for (const k of UNSUPPORTED) {
    if (k in r && canonicalJson(r[k]) !== canonicalJson(w[k])) {
      out.push(breakOf(c, path, 'unsupported-keyword',
        { older: `a different "${k}" at ${fieldName(path)}`, newer: `a different "${k}" at ${fieldName(path)}` },
        { older: `the checker cannot prove that events of ${c.olderLabel} satisfy it`, newer: `the checker cannot prove that events of ${c.newerLabel} satisfy it` }));
    }
  }
  if ('const' in r || Array.isArray(r.enum)) {
    const allowed = 'const' in r ? [r.const] : (r.enum as unknown[]);
    const list = allowed.map(describeValue).join(', ');
    out.push(breakOf(c, path, 'enum-value',
      { older: `restricting ${fieldName(path)} to the values ${list}`, newer: `allowing values other than ${list} in ${fieldName(path)}` },
      { older: `events of ${c.olderLabel} may hold other values`, newer: `consumers of ${c.olderLabel} accept only ${list}` }));
    return out;
  }
  if (rTypes && !wTypes) {
    out.push(breakOf(c, path, 'any-value',
      { older: `restricting ${fieldName(path)} to ${rTypes.join(' or ')}`, newer: `allowing any value in ${fieldName(path)}` },
      { older: `events of ${c.olderLabel} may hold any value there`, newer: `consumers of ${c.olderLabel} accept only ${rTypes.join(' or ')}` }));
    return out;
  }
  const kept: string[] = [];
  for (const t of wTypes ?? ALL_TYPES) {
    if (!rTypes || typeAccepted(t, rTypes)) {
      kept.push(t);
      continue;
    }
    if (t === 'null') {
      out.push(breakOf(c, path, 'null-removed',
        { older: `making nullable ${fieldName(path)} not nullable`, newer: `making ${fieldName(path)} nullable` },
        { older: `events of ${c.olderLabel} may hold null there`, newer: `consumers of ${c.olderLabel} reject null there` }));
    } else {
      const was = c.direction === 'backward' ? wTypes!.join(' or ') : rTypes.join(' or ');
      const now = c.direction === 'backward' ? rTypes.join(' or ') : wTypes!.join(' or ');
      out.push(breakOf(c, path, 'type-narrowed',
        { older: `changing the type of ${fieldName(path)} from ${was} to ${now}`, newer: `changing the type of ${fieldName(path)} from ${was} to ${now}` },
        { older: `events of ${c.olderLabel} may hold a ${t} there`, newer: `consumers of ${c.olderLabel} reject a ${t} there` }));
    }
  }
  for (const t of kept) {
    if (t === 'object') out.push(...objectRules(c, path, w, r, accepts));
    else if (t === 'array') out.push(...arrayRules(c, path, w, r, accepts));
    else if (t === 'string') out.push(...stringRules(c, path, w, r));
    else if (t === 'number' || t === 'integer') out.push(...numberRules(c, path, w, r, t));
  }
  return dedupe(out);
}

function dedupe(list: SchemaBreak[]): SchemaBreak[] {
  const seen = new Set<string>();
  return list.filter((b) => !seen.has(b.message) && (seen.add(b.message), true));
}
