import { describe, expect, it } from 'vitest';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger, testApp, TestPlaced } from '../../src/testing/index.js';
import { tempFile } from './engine-fixture.js';

/** The longest gap between ticks of a 10 ms interval while it runs: how long the event loop was blocked. */
function driftProbe() {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 10);
  return { stop: () => (clearInterval(timer), worst) };
}

describe('two apps on one SQLite file in one process', () => {
  it('opens a second app on the same file in the same process while a handler runs, without freezing the event loop', async () => {
    const file = tempFile('two-apps.db');
    const a = testApp(sqliteEngine({ file }), { logger: memoryLogger() });
    let inHandler = false;
    let handled = 0;
    a.consumer('slow', { pollMs: 10 }).on(TestPlaced, async () => {
      inHandler = true;
      await new Promise((r) => setTimeout(r, 300)); // the consume transaction stays open meanwhile
      handled++;
    });
    await a.start();
    const b = testApp(sqliteEngine({ file }), { logger: memoryLogger() });
    try {
      await a.publish(TestPlaced, { key: 'k', n: 1 });
      await eventually('the handler runs', () => inHandler);
      const probe = driftProbe();
      let worst: number;
      try {
        await b.start();
        const stored = await b.publish(TestPlaced, { key: 'k', n: 2 });
        expect(stored.id).toBeTruthy();
      } finally {
        worst = probe.stop();
      }
      expect(worst).toBeLessThan(200);
      await eventually('both events handled by the first app', () => handled === 2);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
