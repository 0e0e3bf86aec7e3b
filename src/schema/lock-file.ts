import { FactlineError } from '../core/errors.js';
import { isMode } from '../core/compatibility-mode.js';
import type { SchemaBreak } from './breaks.js';
import type { CatalogType } from './catalog.js';
import { checkHistory, compareSchemas } from './compatibility.js';
import { isObject, type JsonSchema } from './json-schema.js';

/** The lock file: every type's mode and versions, with fingerprint and JSON Schema. */
export interface SchemaLock {
  readonly factline: 'schema-lock';
  readonly lockVersion: 1;
  readonly types: Record<string, { readonly compatibility: string; readonly versions: Record<string, { readonly fingerprint: string; readonly schema: JsonSchema }> }>;
}

export function lockOf(catalog: readonly CatalogType[]): SchemaLock {
  const types: SchemaLock['types'] = {};
  for (const t of catalog) {
    types[t.type] = { compatibility: t.compatibility, versions: Object.fromEntries(t.versions.map((v) => [String(v.version), { fingerprint: v.fingerprint, schema: v.schema }])) };
  }
  return { factline: 'schema-lock', lockVersion: 1, types };
}

/** Parses a lock file's text; throws INVALID_LOCK saying what is wrong. */
export function parseLock(text: string, file: string): SchemaLock {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FactlineError('INVALID_LOCK', `${file} is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(value) || value.factline !== 'schema-lock' || value.lockVersion !== 1 || !isObject(value.types)) {
    throw new FactlineError('INVALID_LOCK', `${file} is not a Factline schema lock (written by factline schema lock)`);
  }
  return value as unknown as SchemaLock;
}

/** One finding of `schema check`: a break (fails the check) or a note. */
export interface LockFinding {
  readonly type: string;
  readonly version: number;
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  readonly breaking: boolean;
}

/**
 * The code's catalog against the lock: a locked version whose schema changed breaks (a version
 * never changes); a version new in code breaks when it is incompatible, under its type's mode,
 * with the older versions (locked or in code). Versions or types only in the lock are notes.
 */
export function checkLock(lock: SchemaLock, catalog: readonly CatalogType[]): LockFinding[] {
  const out: LockFinding[] = [];
  const fromBreak = (type: string, version: number, b: SchemaBreak, breaking = true): LockFinding =>
    ({ type, version, path: b.path, rule: b.rule, message: b.message, breaking });
  for (const t of catalog) {
    const locked = lock.types[t.type];
    const lockedVersions = new Map(Object.entries(locked?.versions ?? {}).map(([v, e]) => [Number(v), e]));
    const mode = t.compatibility;
    if (locked && locked.compatibility !== mode && isMode(locked.compatibility)) {
      out.push({ type: t.type, version: 0, path: '', rule: 'mode-changed', message: `compatibility mode changed from ${locked.compatibility} to ${mode}`, breaking: false });
    }
    for (const v of t.versions) {
      const before = lockedVersions.get(v.version);
      if (before) {
        if (before.fingerprint === v.fingerprint) continue;
        const breaks = compareSchemas(before.schema, v.schema, 'FULL', { olderLabel: `v${v.version} as locked`, newerLabel: `v${v.version} in code` });
        if (breaks.length === 0) {
          out.push({ type: t.type, version: v.version, path: '', rule: 'version-changed', message: `the schema of v${v.version} changed (no breaking difference, but a published version never changes: add a version, or run factline schema lock if v${v.version} was never published)`, breaking: true });
        }
        out.push(...breaks.map((b) => fromBreak(t.type, v.version, { ...b, message: `changing published v${v.version}: ${b.message}` })));
        continue;
      }
      const history = new Map<number, JsonSchema>();
      for (const [n, e] of lockedVersions) history.set(n, e.schema);
      for (const o of t.versions) if (o.version < v.version && !history.has(o.version)) history.set(o.version, o.schema);
      const breaks = checkHistory([...history].map(([version, schema]) => ({ version, schema })), { version: v.version, schema: v.schema }, mode);
      out.push(...breaks.map((b) => fromBreak(t.type, v.version, b)));
    }
    for (const n of lockedVersions.keys()) {
      if (!t.versions.some((v) => v.version === n)) out.push({ type: t.type, version: n, path: '', rule: 'version-removed', message: `v${n} is in the lock but no longer in code (its stored events reach no handler unless a newer version upcasts from it)`, breaking: false });
    }
  }
  for (const type of Object.keys(lock.types)) {
    if (!catalog.some((t) => t.type === type)) out.push({ type, version: 0, path: '', rule: 'type-removed', message: `${type} is in the lock but not exported by the module`, breaking: false });
  }
  return out;
}
