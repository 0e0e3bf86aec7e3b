import { describe, expect, it } from 'vitest';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, testApp, TestPlaced } from '../../src/testing/index.js';
import { countingReads, tempFile } from './engine-fixture.js';

const PARTITIONS = 8;
const IDLE_MS = 2000;

describe('idle partitions', () => {
  it('poll less and less while they find nothing, and still handle a new event', async () => {
    const { engine, total: reads } = countingReads(sqliteEngine({ file: tempFile('idle.db') }), PARTITIONS);
    const app = testApp(engine, { partitions: PARTITIONS });
    const seen: number[] = [];
    app.consumer('billing').on(TestPlaced, (e) => void seen.push(e.data.n));
    await app.start();
    try {
      const before = reads();
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const idleReads = reads() - before;
      // A fixed 50 ms poll would read 2000 / 50 = 40 times per partition. Backing off (50, 100,
      // 200, 400, then every 500 ms) it reads about 9 times.
      expect(idleReads).toBeLessThanOrEqual(PARTITIONS * 14);
      await app.publish(TestPlaced, { key: 'k', n: 1 });
      await eventually('the new event was handled', () => seen.length === 1);
    } finally {
      await app.stop();
    }
  });

  it('poll every pollMs when maxPollMs is set to it', async () => {
    const { engine, total: reads } = countingReads(sqliteEngine({ file: tempFile('fixed.db') }), PARTITIONS);
    const app = testApp(engine, { partitions: PARTITIONS });
    app.consumer('billing', { pollMs: 50, maxPollMs: 50 }).on(TestPlaced, () => undefined);
    await app.start();
    try {
      const before = reads();
      await new Promise((r) => setTimeout(r, IDLE_MS));
      expect(reads() - before).toBeGreaterThan(PARTITIONS * 14);
    } finally {
      await app.stop();
    }
  });
});
