import type { Engine } from '../core/engine.js';
import type { Command } from './command-kit.js';
import { emit, str, withStore } from './command-kit.js';
import { age, table } from './format.js';

/** The head of a parked key: the event that holds the key, and how many wait behind it. */
export interface ParkedKey {
  readonly group: string;
  readonly partition: number;
  readonly key: string;
  readonly sequence: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly state: 'retrying' | 'waiting' | 'held';
  readonly attempts: number;
  readonly nextAttemptAt: number;
  /** Events of the key behind the head. */
  readonly behind: number;
  /** The last error or status of the head ("group billing handles ... v3 needs a newer consumer"). */
  readonly lastError?: string;
}

/** Every parked key of every group (or of one), head first. */
export async function parkedKeys(engine: Engine, group?: string): Promise<ParkedKey[]> {
  const out: ParkedKey[] = [];
  for (const s of (await engine.admin.status()).filter((p) => p.parked > 0 && (!group || p.group === group))) {
    const byKey = new Map<string, Awaited<ReturnType<Engine['parked']>>>();
    for (const r of await engine.parked(s.group, s.partition)) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    for (const [key, rows] of byKey) {
      const head = rows[0]!;
      const last = head.errors.at(-1)?.message;
      out.push({
        group: s.group, partition: s.partition, key, sequence: head.sequence, eventId: head.record.id, eventType: head.record.type,
        state: head.state, attempts: head.attempts, nextAttemptAt: head.nextAttemptAt, behind: rows.length - 1, ...(last ? { lastError: last } : {}),
      });
    }
  }
  return out;
}

export function renderParked(list: readonly ParkedKey[], now: number): string {
  if (list.length === 0) return 'no parked keys';
  return table(
    ['GROUP', 'PARTITION', 'KEY', 'TYPE', 'STATE', 'ATTEMPTS', 'NEXT IN', 'BEHIND', 'LAST ERROR'],
    list.map((p) => [p.group, String(p.partition), p.key, p.eventType, p.state, String(p.attempts),
      p.state === 'held' ? '-' : age(now, p.nextAttemptAt), String(p.behind), (p.lastError ?? '-').replace(/\s+/g, ' ')]),
  );
}

export const PARKED_COMMAND: Command = {
  path: ['parked'],
  args: [],
  summary: 'keys parked behind an event: retrying, held (strict mode) or waiting for a newer consumer',
  options: { group: { type: 'string', placeholder: 'group', description: 'only this consumer group' } },
  run: (v, _a, io) =>
    withStore(v, async ({ engine }) => {
      const list = await parkedKeys(engine, str(v, 'group'));
      emit(io, list, renderParked(list, Date.now()));
    }),
};
