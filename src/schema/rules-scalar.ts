import { breakOf, fieldName, readers, type Comparison, type SchemaBreak } from './breaks.js';
import type { JsonSchemaObject } from './json-schema.js';

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

function lowerOf(s: JsonSchemaObject, inclusive: string, exclusive?: string): Bound | undefined {
  const a = num(s[inclusive]);
  const b = exclusive ? num(s[exclusive]) : undefined;
  if (a === undefined) return b === undefined ? undefined : { value: b, exclusive: true };
  if (b === undefined) return { value: a, exclusive: false };
  return b >= a ? { value: b, exclusive: true } : { value: a, exclusive: false };
}

function upperOf(s: JsonSchemaObject, inclusive: string, exclusive?: string): Bound | undefined {
  const a = num(s[inclusive]);
  const b = exclusive ? num(s[exclusive]) : undefined;
  if (a === undefined) return b === undefined ? undefined : { value: b, exclusive: true };
  if (b === undefined) return { value: a, exclusive: false };
  return b <= a ? { value: b, exclusive: true } : { value: a, exclusive: false };
}

/** Whether the writer's lower bound is at least as tight as the reader's. */
function lowerHolds(w: Bound | undefined, r: Bound | undefined): boolean {
  if (!r) return true;
  if (!w) return false;
  return w.value > r.value || (w.value === r.value && (w.exclusive || !r.exclusive));
}

function upperHolds(w: Bound | undefined, r: Bound | undefined): boolean {
  if (!r) return true;
  if (!w) return false;
  return w.value < r.value || (w.value === r.value && (w.exclusive || !r.exclusive));
}

const show = (b: Bound | undefined) => (b ? `${b.exclusive ? 'exclusive ' : ''}${b.value}` : 'none');

/**
 * A pair of bounds (`minimum`/`exclusiveMinimum`, `maxLength`, `minItems`...): the reader's range
 * must contain the writer's.
 */
export function boundRules(c: Comparison, path: string, w: JsonSchemaObject, r: JsonSchemaObject, lower: [string, string?], upper: [string, string?], what: string): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  const [wl, rl] = [lowerOf(w, ...lower), lowerOf(r, ...lower)];
  if (!lowerHolds(wl, rl)) {
    const olderBound = c.direction === 'backward' ? wl : rl;
    const newerBound = c.direction === 'backward' ? rl : wl;
    out.push(breakOf(c, path, 'lower-bound-raised',
      { older: `raising the ${what} lower bound of ${fieldName(path)} from ${show(olderBound)} to ${show(newerBound)}`, newer: `lowering the ${what} lower bound of ${fieldName(path)} from ${show(olderBound)} to ${show(newerBound)}` },
      { older: `events of ${c.olderLabel} may hold values below it`, newer: `consumers of ${c.olderLabel} reject values below ${show(olderBound)}` }));
  }
  const [wu, ru] = [upperOf(w, ...upper), upperOf(r, ...upper)];
  if (!upperHolds(wu, ru)) {
    const olderBound = c.direction === 'backward' ? wu : ru;
    const newerBound = c.direction === 'backward' ? ru : wu;
    out.push(breakOf(c, path, 'upper-bound-lowered',
      { older: `lowering the ${what} upper bound of ${fieldName(path)} from ${show(olderBound)} to ${show(newerBound)}`, newer: `raising the ${what} upper bound of ${fieldName(path)} from ${show(olderBound)} to ${show(newerBound)}` },
      { older: `events of ${c.olderLabel} may hold values above it`, newer: `consumers of ${c.olderLabel} reject values above ${show(olderBound)}` }));
  }
  return out;
}

export function numberRules(c: Comparison, path: string, w: JsonSchemaObject, r: JsonSchemaObject, writerType: string): SchemaBreak[] {
  const out = boundRules(c, path, w, r, ['minimum', 'exclusiveMinimum'], ['maximum', 'exclusiveMaximum'], 'numeric');
  const rm = num(r.multipleOf);
  if (rm !== undefined) {
    const wm = num(w.multipleOf) ?? (writerType === 'integer' ? 1 : undefined);
    if (wm === undefined || !Number.isInteger(wm / rm)) {
      out.push(breakOf(c, path, 'multiple-of',
        { older: `requiring ${fieldName(path)} to be a multiple of ${rm}`, newer: `allowing ${fieldName(path)} values that are not multiples of ${rm}` },
        readers(c)));
    }
  }
  return out;
}

export function stringRules(c: Comparison, path: string, w: JsonSchemaObject, r: JsonSchemaObject): SchemaBreak[] {
  const out = boundRules(c, path, w, r, ['minLength'], ['maxLength'], 'length');
  if (typeof r.pattern === 'string' && r.pattern !== w.pattern) {
    out.push(breakOf(c, path, 'pattern',
      { older: `${w.pattern === undefined ? 'adding' : 'changing'} the pattern of ${fieldName(path)}`, newer: `${w.pattern === undefined ? 'removing' : 'changing'} the pattern of ${fieldName(path)}` },
      { older: `events of ${c.olderLabel} may hold strings it rejects`, newer: `consumers of ${c.olderLabel} reject strings outside /${r.pattern}/` }));
  }
  if (typeof r.format === 'string' && r.format !== w.format) {
    out.push(breakOf(c, path, 'format',
      { older: `${w.format === undefined ? 'adding' : 'changing'} the format of ${fieldName(path)} (${r.format})`, newer: `${w.format === undefined ? 'removing' : 'changing'} the format of ${fieldName(path)} (was ${r.format})` },
      { older: `events of ${c.olderLabel} may hold strings that are not ${r.format}`, newer: `consumers of ${c.olderLabel} expect ${r.format}` }));
  }
  return out;
}
