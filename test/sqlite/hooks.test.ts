import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommitInfo } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, testApp, TestIgnored, TestPlaced } from '../../src/testing/index.js';

describe('onCommitted', () => {
  it('reports each committed batch with the position it made durable and the events it handled', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'factline-hooks-')), 'h.db');
    const app = testApp(sqliteEngine({ file }));
    const commits: CommitInfo[] = [];
    app.consumer('metered', { onCommitted: (info) => void commits.push(info) }).on(TestPlaced, () => undefined);
    for (let i = 0; i < 30; i++) {
      await app.publish(TestPlaced, { key: `k${i}`, n: i });
      await app.publish(TestIgnored, { key: `k${i}` });
    }
    await app.start();
    try {
      const heads = await app.engine.admin.heads();
      await eventually('every partition reported at its head', () =>
        heads.every((head, p) => head === 0 || commits.some((c) => c.partition === p && c.position === head)),
      );
      expect(commits.every((c) => c.group === 'metered')).toBe(true);
      expect(commits.reduce((sum, c) => sum + c.handled, 0)).toBe(30);
    } finally {
      await app.stop();
    }
  });
});
