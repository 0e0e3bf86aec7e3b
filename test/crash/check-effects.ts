import { existsSync, readFileSync } from 'node:fs';
import type { Engine } from '../../src/index.js';
import { CRASH_GROUP, crashEventId, type EffectRow } from './crash-event.js';

/**
 * What must hold once the group drained: per key, the effects in insertion order are exactly the
 * counters 0, 1, 2, ... (so no event applied twice, none skipped, none out of order), and every
 * acknowledged event has its effect. `published` is how many events of each key were acknowledged.
 * Returns the violations found (empty when all holds), at most `limit`.
 */
export function effectViolations(effects: readonly EffectRow[], published: ReadonlyMap<string, number>, limit = 20): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  for (const e of effects) {
    if (e.eventId !== crashEventId(e.key, e.n)) out.push(`effect row of event ${e.eventId} says key ${e.key} n ${e.n}`);
    if (ids.has(e.eventId)) out.push(`event ${e.eventId} applied twice (second time by ${e.member})`);
    ids.add(e.eventId);
    const expected = seen.get(e.key) ?? 0;
    if (e.n !== expected) out.push(`key ${e.key}: effect of n=${e.n} where n=${expected} was due (order or exactly-once broken; by ${e.member})`);
    seen.set(e.key, Math.max(expected, e.n + 1));
  }
  for (const [key, count] of published) {
    const applied = seen.get(key) ?? 0;
    if (applied < count) out.push(`key ${key}: ${count} events acknowledged, effects only up to n=${applied - 1}`);
  }
  return out.slice(0, limit);
}

/** Acknowledged events per key, from the producer's progress file (`key n` lines). */
export function readProgress(file: string): { perKey: Map<string, number>; total: number } {
  const perKey = new Map<string, number>();
  let total = 0;
  if (!existsSync(file)) return { perKey, total };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [key, n] = line.split(' ');
    if (!key || n === undefined) continue;
    perKey.set(key, Math.max(perKey.get(key) ?? 0, Number(n) + 1));
    total++;
  }
  return { perKey, total };
}

/** The group's partitions, when every one has a position at its head and nothing parked; else undefined. */
export async function drained(engine: Engine<unknown>, partitions: number): Promise<true | undefined> {
  const rows = (await engine.admin.status()).filter((s) => s.group === CRASH_GROUP);
  if (rows.length < partitions) return undefined;
  return rows.every((s) => s.position === s.head && s.parked === 0) ? true : undefined;
}

/** The owner pid of each partition of the group (from the member id `host:pid:suffix`), undefined when free. */
export async function ownerPids(engine: Engine<unknown>): Promise<(number | undefined)[]> {
  const rows = (await engine.admin.status()).filter((s) => s.group === CRASH_GROUP);
  return rows.map((s) => (s.owner === undefined ? undefined : Number(s.owner.split(':').at(-2))));
}
