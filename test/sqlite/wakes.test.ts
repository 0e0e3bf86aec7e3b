import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/core/partition.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, testApp, TestPlaced } from '../../src/testing/index.js';
import { countingReads, tempFile } from './engine-fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PARTITIONS = 8;

describe('new-event wake-ups on one SQLite file', () => {
  it('a publish in this process wakes the partitions it appended to, not every partition', async () => {
    const file = tempFile('wakes.db');
    const publisher = testApp(sqliteEngine({ file }), { partitions: PARTITIONS });
    const { engine, reads } = countingReads(sqliteEngine({ file }), PARTITIONS);
    const consumer = testApp(engine, { partitions: PARTITIONS });
    const seen: number[] = [];
    consumer.consumer('billing').on(TestPlaced, (e) => void seen.push(e.data.n));
    await publisher.start();
    await consumer.start();
    try {
      const target = partitionOf('k', PARTITIONS);
      const before = [...reads];
      const published = 40;
      for (let n = 1; n <= published; n++) {
        await publisher.publish(TestPlaced, { key: 'k', n });
        await new Promise((r) => setTimeout(r, 25));
      }
      await eventually('every event was handled', () => seen.length === published);
      const others = reads.map((r, p) => r - before[p]!).filter((_, p) => p !== target);
      // Each publish changes the WAL file, which the file watch sees. Were that to wake every
      // partition, each other partition would read about 40 times in this second; idle polls
      // back off (50, 100, 200, 400, then every 500 ms): about 6 reads each.
      expect(Math.max(...others)).toBeLessThanOrEqual(14);
      expect(reads[target]! - before[target]!).toBeGreaterThanOrEqual(published / 2);
    } finally {
      await consumer.stop();
      await publisher.stop();
    }
  });

  it('a publish by another process wakes the consumers of this one without waiting for a poll', async () => {
    const file = tempFile('foreign.db');
    const consumer = testApp(sqliteEngine({ file }), { partitions: PARTITIONS });
    const seen: number[] = [];
    // Polls far apart: only the file watch can wake the partition within the wait below.
    consumer.consumer('billing', { pollMs: 30_000, maxPollMs: 30_000 }).on(TestPlaced, (e) => void seen.push(e.data.n));
    await consumer.start();
    try {
      await new Promise((r) => setTimeout(r, 300)); // the first reads of every partition are done
      const script = join(dirname(file), 'publish.mts');
      const src = (path: string) => JSON.stringify(join(ROOT, path));
      writeFileSync(
        script,
        `import { sqliteEngine } from ${src('src/engines/sqlite/index.ts')};\n` +
          `import { testApp, TestPlaced } from ${src('src/testing/fixtures.ts')};\n` +
          `const app = testApp(sqliteEngine({ file: ${JSON.stringify(file)} }), { partitions: ${PARTITIONS} });\n` +
          `await app.start();\nfor (let n = 1; n <= 3; n++) await app.publish(TestPlaced, { key: 'k' + n, n });\nawait app.stop();\n`,
      );
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', reject);
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      await eventually('the other process\'s events were handled', () => seen.length === 3, 10_000);
      expect(seen.sort()).toEqual([1, 2, 3]);
    } finally {
      await consumer.stop();
    }
  });
});
