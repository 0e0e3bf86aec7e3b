import type { Engine, HandlerDeclaration, SchemaProducer, SchemaRecord } from '../core/engine.js';
import { iso, table } from './format.js';
import { FactlineError } from '../core/errors.js';

export interface RegistryVersion {
  readonly type: string;
  readonly version: number;
  readonly fingerprint: string;
  readonly compatibility: string;
  readonly registeredBy: string;
  readonly registeredAt: number;
  readonly producers: readonly { readonly source: string; readonly firstAt: number; readonly lastAt: number }[];
  readonly groups: readonly { readonly group: string; readonly live: boolean; readonly member: string; readonly seenAt: number }[];
  readonly schema: unknown;
}

/** Every registered version with its producers and the groups that handle it (live: a member holds a lease). */
export async function registryView(engine: Engine, type?: string): Promise<RegistryVersion[]> {
  const admin = engine.admin;
  const [schemas, producers, handlers, status] = await Promise.all([admin.schemas(), admin.schemaProducers(), admin.handlers(), admin.status()]);
  const live = new Set(status.filter((s) => s.owner).map((s) => s.group));
  const pick = (r: SchemaRecord) => !type || r.type === type;
  const versions = new Map<string, RegistryVersion>();
  const keyOf = (t: string, v: number) => `${t}\u0000${v}`;
  for (const r of schemas.filter(pick)) {
    versions.set(keyOf(r.type, r.version), { ...r, producers: [], groups: [], schema: JSON.parse(r.schema) });
  }
  // Versions a group declared without a registered schema (a schema library without JSON Schema) still show.
  for (const h of handlers.filter((h: HandlerDeclaration) => h.kind === 'event' && (!type || h.type === type))) {
    const k = keyOf(h.type, h.version);
    if (!versions.has(k)) versions.set(k, { type: h.type, version: h.version, fingerprint: '-', compatibility: '-', registeredBy: '-', registeredAt: 0, producers: [], groups: [], schema: null });
    (versions.get(k)!.groups as RegistryVersion['groups'][number][]).push({ group: h.group, live: live.has(h.group), member: h.member, seenAt: h.seenAt });
  }
  for (const p of producers.filter((p: SchemaProducer) => !type || p.type === type)) {
    (versions.get(keyOf(p.type, p.version))?.producers as { source: string; firstAt: number; lastAt: number }[] | undefined)?.push({ source: p.source, firstAt: p.firstAt, lastAt: p.lastAt });
  }
  return [...versions.values()].sort((a, b) => a.type.localeCompare(b.type) || a.version - b.version);
}

const groupsText = (v: RegistryVersion) => v.groups.map((g) => `${g.group}${g.live ? ' (live)' : ''}`).join(', ') || '-';

export function renderRegistryList(list: readonly RegistryVersion[]): string {
  if (list.length === 0) return 'no schemas are registered in this log yet (producers register a version when they first publish it, groups when they start)';
  return table(
    ['TYPE', 'VERSION', 'MODE', 'FINGERPRINT', 'REGISTERED BY', 'PRODUCERS', 'GROUPS'],
    list.map((v) => [v.type, String(v.version), v.compatibility, v.fingerprint.slice(0, 19), v.registeredBy, v.producers.map((p) => p.source).join(', ') || '-', groupsText(v)]),
  );
}

export function renderRegistryShow(type: string, list: readonly RegistryVersion[]): string {
  if (list.length === 0) throw new FactlineError('NOT_FOUND', `no version of ${type} is registered in this log`);
  return list.map((v) => [
    `${v.type} v${v.version}`,
    `  fingerprint:   ${v.fingerprint}`,
    `  compatibility: ${v.compatibility}`,
    `  registered:    ${v.registeredAt ? iso(v.registeredAt) : '-'} by ${v.registeredBy}`,
    `  producers:     ${v.producers.map((p) => `${p.source} (last ${iso(p.lastAt)})`).join(', ') || '-'}`,
    `  groups:        ${groupsText(v)}`,
    `  schema:        ${JSON.stringify(v.schema, null, 2).split('\n').join('\n  ')}`,
  ].join('\n')).join('\n\n');
}
