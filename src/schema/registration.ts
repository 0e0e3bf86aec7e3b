import type { HandlerDeclaration, PartitionStatus, SchemaRecord } from '../core/engine.js';
import type { CompatibilityMode } from '../core/compatibility-mode.js';
import { SchemaConflictError } from '../core/errors.js';
import type { SchemaBreak } from './breaks.js';
import { compareSchemas } from './compatibility.js';
import type { JsonSchema } from './json-schema.js';
import { isTransitive } from './modes.js';

/** The live groups and the versions of `type` each declared, from leases and handler declarations. */
export function liveHandlers(type: string, status: readonly PartitionStatus[], declared: readonly HandlerDeclaration[]): Map<number, string[]> {
  const live = new Set(status.filter((s) => s.owner !== undefined).map((s) => s.group));
  const out = new Map<number, string[]>();
  for (const d of declared) {
    if (d.type !== type || !live.has(d.group)) continue;
    out.set(d.version, [...(out.get(d.version) ?? []), d.group]);
  }
  return out;
}

const parsed = (r: SchemaRecord): JsonSchema => JSON.parse(r.schema) as JsonSchema;

/**
 * Whether `candidate` may be registered beside `existing` (the versions of its type). Throws
 * SchemaConflictError: SCHEMA_CHANGED when its version is registered with another fingerprint;
 * SCHEMA_INCOMPATIBLE when it is a new version that breaks `mode` against an older version
 * handled by a live group (`live`: version to group names). Returns the breaks found against
 * versions no live group handles (allowed, for the caller to log).
 */
export function checkRegistration(existing: readonly SchemaRecord[], candidate: SchemaRecord, mode: CompatibilityMode, live: ReadonlyMap<number, readonly string[]>): string[] {
  const { type, version } = candidate;
  const same = existing.find((r) => r.version === version);
  if (same) {
    if (same.fingerprint === candidate.fingerprint) return [];
    const breaks = compareSchemas(parsed(same), JSON.parse(candidate.schema) as JsonSchema, 'FULL', { olderLabel: `v${version} as registered`, newerLabel: `v${version} in code` });
    const detail = breaks.length ? breaks.map((b) => b.message).join('; ') : 'no breaking difference, but a registered version never changes';
    throw new SchemaConflictError('SCHEMA_CHANGED', type, version,
      `${type} version ${version} is registered with another schema (registered by ${same.registeredBy} at ${new Date(same.registeredAt).toISOString()}): ${detail}. A version's schema never changes: define the change as version ${Math.max(...existing.map((r) => r.version)) + 1}`,
      breaks);
  }
  const older = existing.filter((r) => r.version < version).sort((a, b) => b.version - a.version);
  const checked = isTransitive(mode) ? older : older.slice(0, 1);
  const schema = JSON.parse(candidate.schema) as JsonSchema;
  const allowed: string[] = [];
  const blocking: { version: number; groups: readonly string[]; breaks: SchemaBreak[] }[] = [];
  for (const r of checked) {
    const breaks = compareSchemas(parsed(r), schema, mode, { olderLabel: `v${r.version}`, newerLabel: `v${version}` });
    if (breaks.length === 0) continue;
    const groups = live.get(r.version);
    if (groups?.length) blocking.push({ version: r.version, groups, breaks });
    else allowed.push(...breaks.map((b) => b.message));
  }
  if (blocking.length === 0) return allowed;
  const shown = blocking.flatMap((b) => b.breaks);
  const groups = [...new Set(blocking.flatMap((b) => b.groups))];
  throw new SchemaConflictError('SCHEMA_INCOMPATIBLE', type, version,
    `cannot register ${type} version ${version}: ${shown.map((b) => b.message).join('; ')} (live group${groups.length === 1 ? '' : 's'} ${groups.join(', ')} handle${groups.length === 1 ? 's' : ''} v${blocking.map((b) => b.version).join(', v')}; mode ${mode})`,
    shown.map((b) => ({ path: b.path, rule: b.rule, message: b.message })));
}
