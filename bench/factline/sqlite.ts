/** Factline on its embedded SQLite engine: one file per topic, synchronous=FULL (the default). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FactlineSystem } from './system.js';

export function factlineSqliteSystem(): FactlineSystem {
  return new FactlineSystem(
    'factline-sqlite',
    'SQLite WAL, synchronous=FULL: every commit is fsync\'d before publish resolves (group commit for concurrent single publishes)',
    'Factline inbox rows (group, source, id) committed with the position, one transaction per batch',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'factline-bench-'));
      return {
        spec: (topic: number) => ({ kind: 'sqlite', file: join(dir, `topic-${topic}.db`) }),
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
    async () => null,
  );
}
