import { expect } from 'vitest';
import type { Factline } from '../../src/index.js';
import { Child, eventually } from './children.js';
import { CRASH_PARTITIONS, crashEventId } from './crash-event.js';
import type { CrashStore } from './crash-target.js';
import { drained } from './check-effects.js';
import { publishCounters } from './membership.js';

/**
 * A handler that kills its process (SIGKILL from inside, as a native crash or an out-of-memory
 * kill would) on one event. The consumer is restarted each time it dies; the event must become a
 * dead letter after a bounded number of deaths, and every other event is applied once, in order.
 */
export async function runProcessKiller(store: CrashStore, app: Factline<unknown>, mode: 'store' | 'effect'): Promise<void> {
  const attempts = 3;
  const keys = Array.from({ length: 12 }, (_, i) => `${mode}${i}`);
  const killer = crashEventId(`${mode}5`, 2);
  await publishCounters(app, keys, 0, 6);
  const env = { ...store.env, CRASH_LEASE_MS: '800', CRASH_HEARTBEAT_MS: '200', CRASH_MODE: mode, CRASH_EXIT_EVENT: killer, CRASH_ATTEMPTS: String(attempts), CRASH_CALLS: `${store.dir}/calls-${mode}.log` };
  let deaths = 0;
  let child = new Child(`${mode}-1`, 'consumer-process.ts', env);
  const children = [child];
  const deadLetter = await eventually(
    async () => {
      if (!child.alive) {
        expect(child.exit?.signal, child.stderrTail()).toBe('SIGKILL');
        deaths++;
        if (deaths > attempts + 4) throw new Error(`the consumer died ${deaths} times on ${killer} and no dead letter was made`);
        child = new Child(`${mode}-${deaths + 1}`, 'consumer-process.ts', env);
        children.push(child);
      }
      const list = await store.engine.admin.listDeadLetters({});
      return list.find((d) => d.eventId === killer);
    },
    120_000,
    () => `no dead letter for ${killer} after ${deaths} deaths\n${child.stderrTail()}`,
  );
  expect(deadLetter.reason).toMatch(/the process died while handling it, \d+ times/);
  expect(deaths).toBeGreaterThanOrEqual(attempts);
  await eventually(() => drained(store.engine, CRASH_PARTITIONS), 30_000, async () => `did not drain: ${JSON.stringify(await store.engine.admin.status())}\n${child.stderrTail()}`);
  const effects = (await store.effects()).filter((e) => e.key.startsWith(mode));
  // Per key, the counters in the order applied: all six once, in order; the killer's key lacks it.
  const applied = new Map<string, number[]>();
  for (const e of effects) applied.set(e.key, [...(applied.get(e.key) ?? []), e.n]);
  for (const key of keys) {
    const expected = [0, 1, 2, 3, 4, 5].filter((n) => crashEventId(key, n) !== killer);
    expect([key, applied.get(key)]).toEqual([key, expected]);
  }
  console.log(`[crash ${mode} killer] dead letter after ${deaths} deaths: ${deadLetter.reason}`);
  child.signal('SIGKILL');
  await child.exited;
}
