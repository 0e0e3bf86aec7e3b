import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, Lease } from '../../src/core/engine.js';
import type { NewEvent } from '../../src/core/envelope.js';
import { buildEnvelope } from '../../src/publish/build-envelope.js';
import { TestPlaced } from '../../src/testing/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';

/** A path in a fresh temporary directory. */
export function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'factline-sqlite-')), name);
}

/** A TestPlaced event for partition 0 of a one-partition log. */
export function placed(n: number, id?: string): NewEvent {
  return buildEnvelope(TestPlaced, { key: `k${n}`, n }, 'test/engine', 1, Date.now(), id === undefined ? {} : { id });
}

/** An opened one-partition engine on a fresh file, and a lease on its partition held by member `m`. */
export async function leasedEngine(file = tempFile('engine.db')): Promise<{ engine: Engine<SqliteDb>; lease: Lease; file: string }> {
  const engine = sqliteEngine({ file });
  await engine.open({ partitions: 1 });
  const assignment = await engine.heartbeat('g', 'm', 60_000);
  if (!assignment.owned.includes(0)) throw new Error('the test member did not get partition 0');
  return { engine, lease: { group: 'g', partition: 0, member: 'm' }, file };
}

export const identity = (e: { source: string; id: string }) => `${e.source}\u0000${e.id}`;

/**
 * The engine, with its reads counted per partition (every other call goes to the engine as it
 * is): `reads[p]` for partition p, `total()` for all.
 */
export function countingReads(engine: Engine<SqliteDb>, partitions: number): { engine: Engine<SqliteDb>; reads: number[]; total: () => number } {
  const reads = new Array<number>(partitions).fill(0);
  const counted = new Proxy(engine, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'read' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (partition: number, ...rest: unknown[]) => {
        reads[partition]!++;
        return (value as (...a: unknown[]) => unknown).apply(target, [partition, ...rest]);
      };
    },
  });
  return { engine: counted, reads, total: () => reads.reduce((a, b) => a + b, 0) };
}
