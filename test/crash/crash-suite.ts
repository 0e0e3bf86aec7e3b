import { afterEach, describe, it } from 'vitest';
import { createFactline } from '../../src/index.js';
import { killAllChildren } from './children.js';
import { CRASH_PARTITIONS } from './crash-event.js';
import type { CrashStore, CrashTarget } from './crash-target.js';
import { runKillStorm, type KillStormOptions } from './kill-storm.js';
import { runFailover, runGracefulStop } from './membership.js';
import { runProcessKiller } from './process-killer.js';
import { runKeepAlive } from './keep-alive.js';

/**
 * The crash suite of one engine: real child processes sharing one store, killed with SIGKILL
 * (or stopped with SIGTERM), and the effects checked afterwards. See docs/guarantees.md.
 */
export interface CrashSuiteOptions {
  readonly skip?: boolean;
  /** The producer's pace on this engine, so that its work spans the kills in a reasonable time. */
  readonly producer?: Pick<KillStormOptions, 'producerConcurrency' | 'producerPauseMs' | 'producerTwoKeyShare'>;
}

export function describeCrashSuite(target: CrashTarget, options: CrashSuiteOptions = {}): void {
  describe.skipIf(options.skip === true)(`crash tests on ${target.name}`, () => {
    const stores: CrashStore[] = [];
    const fresh = async (label: string) => {
      const store = await target.fresh(label);
      stores.push(store);
      await store.engine.open({ partitions: CRASH_PARTITIONS });
      return store;
    };

    afterEach(async () => {
      // No child outlives its test, whatever happened in it.
      await killAllChildren();
      for (const store of stores.splice(0)) {
        await store.engine.close();
        await store.close();
      }
    });

    it('applies every acknowledged event exactly once and in key order while consumers and the producer are SIGKILLed', async () => {
      const store = await fresh('storm');
      await runKillStorm(store, target.name, {
        events: 20_000, keys: 300, consumers: 3, consumerKills: 24, producerKills: 2, leaseTtlMs: 1200, heartbeatMs: 300,
        ...(options.producer ?? { producerConcurrency: 24, producerPauseMs: 20, producerTwoKeyShare: 0.15 }),
      });
    }, 420_000);

    it('calls each outside effect at least once, and more than once only for events whose process was SIGKILLed mid-call', async () => {
      const store = await fresh('outside');
      await runKillStorm(store, `${target.name} effect`, {
        events: 8_000, keys: 300, consumers: 3, consumerKills: 16, producerKills: 1, leaseTtlMs: 1200, heartbeatMs: 300, mode: 'effect',
        ...(options.producer ?? { producerConcurrency: 24, producerPauseMs: 20, producerTwoKeyShare: 0.15 }),
      });
    }, 240_000);

    it('makes a dead letter of an event whose handler kills its process, after a bounded number of deaths, and moves its key on', async () => {
      const store = await fresh('killer');
      const app = createFactline({ engine: store.engine, source: 'crash/test', partitions: CRASH_PARTITIONS });
      await runProcessKiller(store, app, 'store');
      await runProcessKiller(store, app, 'effect');
    }, 240_000);

    it('keeps a started consumer process alive while it owns no partition, until it is stopped', async () => {
      const store = await fresh('alive');
      await runKeepAlive(store);
    }, 60_000);

    it("moves a SIGKILLed member's partitions to the survivor, which handles what is published after the kill", async () => {
      const store = await fresh('failover');
      const app = createFactline({ engine: store.engine, source: 'crash/test', partitions: CRASH_PARTITIONS });
      await runFailover(store, app, { leaseTtlMs: 1500, heartbeatMs: 300 });
    }, 90_000);

    it('on SIGTERM finishes the work in flight and releases the leases, so the other member takes over at once', async () => {
      const store = await fresh('stop');
      const app = createFactline({ engine: store.engine, source: 'crash/test', partitions: CRASH_PARTITIONS });
      await runGracefulStop(store, app, { leaseTtlMs: 60_000, heartbeatMs: 200 });
    }, 90_000);
  });
}
