import type { CompatibilityMode } from '../core/compatibility-mode.js';
import type { EventDefinition } from '../core/event.js';
import { FactlineError } from '../core/errors.js';
import { fingerprint } from './fingerprint.js';
import type { JsonSchema } from './json-schema.js';
import { jsonSchemaOf } from './json-schema-of.js';

export interface CatalogVersion {
  readonly version: number;
  readonly fingerprint: string;
  readonly schema: JsonSchema;
}

/** The versions of one event type, oldest first. */
export interface CatalogType {
  readonly type: string;
  readonly compatibility: CompatibilityMode;
  readonly versions: readonly CatalogVersion[];
}

function isDefinition(x: unknown): x is EventDefinition {
  const d = x as Partial<EventDefinition> | null;
  return typeof d === 'object' && d !== null && d.kind === 'event' && typeof d.type === 'string' && typeof d.version === 'number'
    && typeof (d.schema as { '~standard'?: unknown } | undefined)?.['~standard'] === 'object';
}

/**
 * The event definitions among a module's exports: exported values, and the values of exported
 * arrays and plain objects (one level), with the older versions their `from` chains reach.
 */
export function definitionsIn(exports: Record<string, unknown>): EventDefinition[] {
  const out: EventDefinition[] = [];
  const add = (x: unknown) => {
    for (let d: EventDefinition | undefined = isDefinition(x) ? x : undefined; d && !out.includes(d); d = d.previous) out.push(d);
  };
  for (const value of Object.values(exports)) {
    if (isDefinition(value)) add(value);
    else if (Array.isArray(value)) value.forEach(add);
    else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) Object.values(value).forEach(add);
  }
  return out;
}

/**
 * The catalog of definitions, by type then version. Two definitions of one version with
 * different schemas, or of one type with different compatibility modes, are an error.
 */
export function catalogOf(defs: readonly EventDefinition[]): CatalogType[] {
  const byType = new Map<string, { modes: Set<CompatibilityMode>; versions: Map<number, CatalogVersion> }>();
  for (const def of defs) {
    let entry = byType.get(def.type);
    if (!entry) byType.set(def.type, (entry = { modes: new Set(), versions: new Map() }));
    if (def.compatibility) entry.modes.add(def.compatibility);
    const schema = jsonSchemaOf(def);
    const v: CatalogVersion = { version: def.version, fingerprint: fingerprint(schema), schema };
    const seen = entry.versions.get(def.version);
    if (seen && seen.fingerprint !== v.fingerprint) {
      throw new FactlineError('INVALID_DEFINITION', `${def.type} version ${def.version} is defined twice with different schemas`);
    }
    entry.versions.set(def.version, v);
  }
  return [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, e]) => {
    if (e.modes.size > 1) throw new FactlineError('INVALID_DEFINITION', `${type} has versions with different compatibility modes (${[...e.modes].join(', ')}); give one mode per type`);
    return { type, compatibility: [...e.modes][0] ?? 'BACKWARD', versions: [...e.versions.values()].sort((a, b) => a.version - b.version) };
  });
}
