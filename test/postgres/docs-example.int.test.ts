import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describePg('docs/postgres.md', () => {
  it('runs its complete example', async () => {
    const doc = readFileSync(join(root, 'docs/postgres.md'), 'utf8');
    const match = /```ts example\n([\s\S]*?)```/.exec(doc);
    expect(match).not.toBeNull();
    const code = match![1]!
      .replace("from 'factline/postgres'", `from '${join(root, 'src/engines/postgres/index.ts')}'`)
      .replace("from 'factline'", `from '${join(root, 'src/index.ts')}'`);
    // Inside node_modules so that the example's bare imports (pg, zod) resolve.
    const dir = mkdtempSync(join(root, 'node_modules', '.factline-doc-'));
    try {
      const file = join(dir, 'example.mts');
      writeFileSync(file, code);
      const schema = freshSchema('docs');
      const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), [file], {
        env: { ...process.env, DATABASE_URL: PG_URL, LOG_SCHEMA: schema, SHOP_SCHEMA: `${schema}_shop` },
        timeout: 60_000,
      });
      expect(stdout).toContain('invoiced 2 orders');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
