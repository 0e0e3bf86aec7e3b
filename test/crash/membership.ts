import { expect } from 'vitest';
import type { Factline } from '../../src/index.js';
import { Child, eventually } from './children.js';
import { CRASH_PARTITIONS, counterAdvanced, crashEventId } from './crash-event.js';
import type { CrashStore } from './crash-target.js';
import { drained, effectViolations, ownerPids } from './check-effects.js';

/** Publishes events n = from .. from+count-1 of every key, each key's in order, in one transaction. */
export async function publishCounters(app: Factline<unknown>, keys: readonly string[], from: number, count: number): Promise<void> {
  await app.publishAll(
    keys.flatMap((key) =>
      Array.from({ length: count }, (_, i) => ({ event: counterAdvanced, data: { key, n: from + i }, options: { id: crashEventId(key, from + i) } })),
    ),
  );
}

const keysNamed = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

async function startMembers(store: CrashStore, env: Record<string, string>): Promise<[Child, Child]> {
  const a = new Child('a', 'consumer-process.ts', env);
  await a.waitFor((m) => m.ready === true, 30_000, 'ready');
  const b = new Child('b', 'consumer-process.ts', env);
  await b.waitFor((m) => m.ready === true, 30_000, 'ready');
  const half = CRASH_PARTITIONS / 2;
  await eventually(
    async () => {
      const owners = await ownerPids(store.engine);
      const ofA = owners.filter((p) => p === a.pid).length;
      const ofB = owners.filter((p) => p === b.pid).length;
      return ofA === half && ofB === half ? true : undefined;
    },
    20_000,
    async () => `the two members did not split the partitions: owners ${JSON.stringify(await ownerPids(store.engine))}, a=${a.pid} b=${b.pid}`,
  );
  return [a, b];
}

async function drain(store: CrashStore, members: readonly Child[]): Promise<void> {
  await eventually(() => drained(store.engine, CRASH_PARTITIONS), 30_000, async () => {
    return `the group did not drain: ${JSON.stringify(await store.engine.admin.status())}\n${members.map((m) => m.stderrTail()).join('\n')}`;
  });
}

/**
 * Two members split the partitions; one is SIGKILLed. Once its lease expired the survivor owns
 * every partition and handles what was published after the kill, each event once, in key order.
 */
export async function runFailover(store: CrashStore, app: Factline<unknown>, membership: { leaseTtlMs: number; heartbeatMs: number }): Promise<void> {
  const env = { ...store.env, CRASH_LEASE_MS: String(membership.leaseTtlMs), CRASH_HEARTBEAT_MS: String(membership.heartbeatMs) };
  const [a, b] = await startMembers(store, env);
  const keys = keysNamed('f', 40);
  await publishCounters(app, keys, 0, 2);
  await drain(store, [a, b]);
  expect(new Set((await store.effects()).map((e) => e.member))).toEqual(new Set(['a', 'b']));

  const exit = await a.kill();
  expect(exit.signal).toBe('SIGKILL');
  await publishCounters(app, keys, 2, 2);

  await eventually(
    async () => ((await ownerPids(store.engine)).every((p) => p === b.pid) ? true : undefined),
    20_000,
    async () => `the survivor did not take every partition: owners ${JSON.stringify(await ownerPids(store.engine))}, survivor ${b.pid}\n${b.stderrTail()}`,
  );
  await b.waitFor((m) => Array.isArray(m.owned) && m.owned.length === CRASH_PARTITIONS, 10_000, 'report of owning every partition');
  await drain(store, [b]);

  const effects = await store.effects();
  expect(effectViolations(effects, new Map(keys.map((k) => [k, 4])))).toEqual([]);
  expect(effects).toHaveLength(keys.length * 4);
  expect(effects.filter((e) => e.n >= 2 && e.member !== 'b')).toEqual([]);
}

/**
 * Two members split the partitions, with a lease far longer than the test. One receives SIGTERM
 * while a slow handler runs: app.stop() lets that work commit, then releases the leases, so the
 * other member owns everything right away, long before the lease could have expired.
 */
export async function runGracefulStop(store: CrashStore, app: Factline<unknown>, membership: { leaseTtlMs: number; heartbeatMs: number }): Promise<void> {
  const slowKey = 'slow';
  const env = {
    ...store.env, CRASH_LEASE_MS: String(membership.leaseTtlMs), CRASH_HEARTBEAT_MS: String(membership.heartbeatMs),
    CRASH_SLOW_KEY: slowKey, CRASH_SLOW_MS: '1500',
  };
  const [a, b] = await startMembers(store, env);
  const keys = keysNamed('g', 30);
  await publishCounters(app, keys, 0, 3);
  await publishCounters(app, [slowKey], 0, 1);
  // Nothing is published while the slow handler runs: on SQLite its transaction holds the write lock.

  const slowId = crashEventId(slowKey, 0);
  const handlingSlow = (m: Record<string, unknown>) => m.handling === slowId;
  const stopping = await eventually(async () => [a, b].find((c) => c.messages.some(handlingSlow)), 20_000, () => 'no member started the slow handler');
  const survivor = stopping === a ? b : a;

  stopping.signal('SIGTERM');
  const exit = await stopping.exited;
  expect(exit, stopping.stderrTail()).toEqual({ code: 0, signal: null });
  const stopped = stopping.last('stopped');
  expect(stopped?.inFlight).toContain(slowId);
  // leave() removed the stopped member's leases before the process exited.
  expect((await ownerPids(store.engine)).filter((p) => p === stopping.pid)).toEqual([]);

  // The lease is far longer than this wait: only a release lets the survivor take the partitions now.
  await eventually(
    async () => ((await ownerPids(store.engine)).every((p) => p === survivor.pid) ? true : undefined),
    Math.min(10_000, membership.leaseTtlMs / 4),
    async () => `the survivor did not take the released partitions: owners ${JSON.stringify(await ownerPids(store.engine))}, survivor ${survivor.pid}`,
  );
  await publishCounters(app, keys, 3, 1);
  await publishCounters(app, [slowKey], 1, 1);
  await drain(store, [survivor]);

  const effects = await store.effects();
  expect(effectViolations(effects, new Map([...keys.map((k): [string, number] => [k, 4]), [slowKey, 2]]))).toEqual([]);
  // The work in flight at SIGTERM was finished and committed by the stopping member itself.
  const inFlight = [...(stopped!.inFlight as string[])].sort();
  const appliedInFlight = effects.filter((e) => inFlight.includes(e.eventId)).sort((x, y) => x.eventId.localeCompare(y.eventId));
  expect(appliedInFlight.map((e) => [e.eventId, e.member])).toEqual(inFlight.map((id) => [id, stopping.name]));
}
