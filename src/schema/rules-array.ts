import { breakOf, fieldName, type Comparison, type SchemaBreak } from './breaks.js';
import type { JsonSchema, JsonSchemaObject } from './json-schema.js';
import type { Check } from './rules-object.js';
import { boundRules } from './rules-scalar.js';

const list = (x: unknown): JsonSchema[] => (Array.isArray(x) ? (x as JsonSchema[]) : []);

/** The most items an array of `s` can hold (Infinity when unbounded). */
function maxLength(s: JsonSchemaObject): number {
  const prefix = list(s.prefixItems).length;
  const max = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
  return s.items === false ? Math.min(prefix, max) : max;
}

/**
 * Arrays and tuples: every position the writer may fill (prefixItems, then items) is accepted by
 * the reader's schema for it; lengths and uniqueness within the reader's.
 */
export function arrayRules(c: Comparison, path: string, w: JsonSchemaObject, r: JsonSchemaObject, check: Check): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  const wPrefix = list(w.prefixItems);
  const rPrefix = list(r.prefixItems);
  const wMax = maxLength(w);
  const wRest = (w.items as JsonSchema | undefined) ?? true;
  const rRest = (r.items as JsonSchema | undefined) ?? true;
  const positions = Math.max(wPrefix.length, rPrefix.length);
  for (let i = 0; i < positions && i < wMax; i++) {
    const ws = wPrefix[i] ?? wRest;
    const rs = rPrefix[i] ?? rRest;
    if (ws === false) break;
    if (rs === false) {
      out.push(breakOf(c, `${path}[${i}]`, 'tuple-items',
        { older: `shortening the tuple ${fieldName(path)} to ${i} items`, newer: `lengthening the tuple ${fieldName(path)} past ${i} items` },
        { older: `events of ${c.olderLabel} may hold more`, newer: `consumers of ${c.olderLabel} accept ${i} items at most` }));
      break;
    }
    out.push(...check(c, `${path}[${i}]`, ws, rs));
  }
  if (wMax > positions && wRest !== false) {
    if (rRest === false) {
      out.push(breakOf(c, `${path}[]`, 'tuple-items',
        { older: `limiting ${fieldName(path)} to ${positions} items`, newer: `allowing more than ${positions} items in ${fieldName(path)}` },
        { older: `events of ${c.olderLabel} may hold more`, newer: `consumers of ${c.olderLabel} accept ${positions} items at most` }));
    } else {
      out.push(...check(c, `${path}[]`, wRest, rRest));
    }
  }
  out.push(...boundRules(c, path, { ...w, maxItems: Number.isFinite(wMax) ? wMax : undefined }, r, ['minItems'], ['maxItems'], 'item count'));
  if (r.uniqueItems === true && w.uniqueItems !== true) {
    out.push(breakOf(c, path, 'unique-items',
      { older: `requiring unique items in ${fieldName(path)}`, newer: `allowing repeated items in ${fieldName(path)}` },
      { older: `events of ${c.olderLabel} may repeat items`, newer: `consumers of ${c.olderLabel} require unique items` }));
  }
  return out;
}
