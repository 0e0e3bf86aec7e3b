import { EventValidationError, FactlineError } from '../core/errors.js';

/**
 * Limits every engine enforces alike, checked before anything is written. Lengths are in UTF-8
 * bytes, so that what fits one engine's index fits every engine's.
 */
export const LIMITS = {
  /** `id` of an event (your own or the UUIDv7 default). */
  idBytes: 200,
  /** `source` of an app. */
  sourceBytes: 200,
  /** `type` of an event definition. */
  typeBytes: 200,
  /** `subject` and `partitionkey`. */
  subjectBytes: 500,
  /** A consumer group name. */
  groupBytes: 100,
  /** The default of `maxEventBytes`: the whole stored envelope, as JSON. */
  eventBytes: 1024 * 1024,
} as const;

/** Control characters (U+0000-U+001F, U+007F): refused in every envelope attribute and group name. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Null when `value` is a non-empty string within `maxBytes` UTF-8 bytes and without control
 * characters, else what is wrong with it, in words.
 */
export function textProblem(value: unknown, maxBytes: number): string | null {
  if (typeof value !== 'string' || value.length === 0) return `must be a non-empty string, got ${describe(value)}`;
  // A string of n UTF-16 units takes at most 3n bytes: count exactly only when it might be over.
  if (value.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > maxBytes) return `is ${bytes} bytes long; the limit is ${maxBytes} bytes (UTF-8)`;
  }
  if (CONTROL.test(value)) {
    const at = value.search(CONTROL);
    return `contains the control character U+${value.charCodeAt(at).toString(16).padStart(4, '0').toUpperCase()} at index ${at}; control characters are not allowed`;
  }
  return null;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return '""';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/** Throws EVENT_INVALID naming the attribute and its limit when `value` breaks it. */
export function checkAttribute(eventType: string, attribute: string, value: unknown, maxBytes: number): void {
  const problem = textProblem(value, maxBytes);
  if (problem) throw new FactlineError('EVENT_INVALID', `cannot publish ${eventType}: its ${attribute} ${problem}`);
}

/** Throws INVALID_ARGUMENT when a source or group name breaks its limit. */
export function checkName(what: string, value: unknown, maxBytes: number): void {
  const problem = textProblem(value, maxBytes);
  if (problem) throw new FactlineError('INVALID_ARGUMENT', `${what} ${problem}`);
}

/**
 * Throws EventValidationError (EVENT_INVALID) when `data` holds something JSON does not carry
 * faithfully, naming the field: a Date, a function, a symbol, a BigInt, NaN or Infinity, a Map,
 * Set or other class instance, `undefined` inside an array, or a circular reference. Such data
 * would be stored changed (or not at all) and then refused by the consumer of the same version.
 * `undefined` object properties are allowed: JSON leaves them out, as an optional field.
 */
export function checkJsonData(eventType: string, data: unknown): void {
  const problem = jsonProblem(data, null);
  if (problem) throw new EventValidationError(eventType, 'publish', [{ field: problem.path.reverse().join('.'), message: problem.message }]);
}

/** What is wrong in some data: `path` is innermost key first (each level pushes its key on the way out). */
interface JsonProblem {
  readonly path: string[];
  readonly message: string;
}

function problemAt(message: string): JsonProblem {
  return { path: [], message };
}

/**
 * What is wrong at `value`, or null. Data without a problem builds no path strings at all.
 * `ancestors` holds the objects on the way down, for circular references; it is made when the
 * first object is met.
 */
function jsonProblem(value: unknown, ancestors: Set<object> | null): JsonProblem | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : problemAt(`${value} does not survive JSON (it would be stored as null); publish a finite number or null`);
    case 'bigint':
      return problemAt('a BigInt does not survive JSON; publish it as a string or a number');
    case 'function':
      return problemAt('a function does not survive JSON (it would be dropped)');
    case 'symbol':
      return problemAt('a symbol does not survive JSON (it would be dropped)');
    case 'undefined':
      return problemAt('undefined does not survive JSON here');
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors?.has(obj)) return problemAt('a circular reference cannot be stored as JSON');
  if (Array.isArray(obj)) {
    const seen = ancestors ?? new Set<object>();
    seen.add(obj);
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i];
      const p = item === undefined ? problemAt('undefined inside an array does not survive JSON (it would be stored as null)') : jsonProblem(item, seen);
      if (p) {
        p.path.push(String(i));
        return p;
      }
    }
    seen.delete(obj);
    return null;
  }
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    const name = obj instanceof Date ? 'a Date' : `an instance of ${(obj.constructor as { name?: string } | undefined)?.name || 'a class'}`;
    const hint = obj instanceof Date ? '; publish it as an ISO 8601 string (e.g. z.iso.datetime())' : '; publish plain objects, arrays, strings, finite numbers, booleans and null';
    return problemAt(`${name} does not survive JSON${hint}`);
  }
  const seen = ancestors ?? new Set<object>();
  seen.add(obj);
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const item = (obj as Record<string, unknown>)[key];
    if (item === undefined) continue;
    const p = jsonProblem(item, seen);
    if (p) {
      p.path.push(key);
      return p;
    }
  }
  seen.delete(obj);
  return null;
}
