import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('examples/dashboard', () => {
  it('serves the dashboard under /factline beside the app\'s own routes', () => {
    const r = spawnSync(process.execPath, ['--conditions=factline-source', '--import', 'tsx', join(ROOT, 'examples', 'dashboard', 'main.ts'), '--once'], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FACTLINE_DASHBOARD_TOKEN: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    const [first, second] = r.stdout.trim().split('\n');
    expect(first).toMatch(/^app on http:\/\/127\.0\.0\.1:\d+\/, dashboard on http:\/\/127\.0\.0\.1:\d+\/factline\/$/);
    expect(JSON.parse(second!)).toEqual({ info: { engine: 'sqlite', readOnly: true, flow: true }, events: ['shop.order.placed'], own: { ok: true } });
  });
});
