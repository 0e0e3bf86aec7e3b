import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { createFactline } from '../../src/index.js';
import { Child } from './children.js';
import { CRASH_GROUP, CRASH_PARTITIONS, counterAdvanced } from './crash-event.js';
import type { CrashStore } from './crash-target.js';

/**
 * A standby member: the test process owns every partition, a child whose only code is
 * `await app.start()` owns none. It must stay alive (to take over later), and end on SIGTERM.
 */
export async function runKeepAlive(store: CrashStore): Promise<void> {
  const owner = createFactline({ engine: store.engine, source: 'crash/test', partitions: CRASH_PARTITIONS });
  owner.consumer(CRASH_GROUP, { leaseTtlMs: 60_000, heartbeatMs: 200 }).on(counterAdvanced, () => undefined);
  await owner.start();
  try {
    expect(owner.assignments()[CRASH_GROUP]!.length).toBe(CRASH_PARTITIONS);
    const standby = new Child('standby', 'standby-process.ts', store.env);
    await standby.waitFor((m) => m.ready === true, 30_000, 'ready');
    await sleep(1500);
    expect(standby.alive, `the standby member exited: ${JSON.stringify(standby.exit)}\n${standby.stderrTail()}`).toBe(true);
    standby.signal('SIGTERM');
    const exit = await standby.exited;
    expect(exit.code).toBe(0);
  } finally {
    await owner.stop();
  }
}
