import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('examples/observability', () => {
  it('prints one trace for the order flow with the failed attempt and its retry, the scrape and the health', () => {
    const r = spawnSync(process.execPath, ['--conditions=factline-source', '--import', 'tsx', join(ROOT, 'examples', 'observability', 'main.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain('did order-123 go through? complete: 2 event(s), handled by every group that takes them (billing, fraud, ledger)');
    expect(out).toMatch(/^trace [0-9a-f]{32}:\n {2}publish shop\.order\.placed\n/m);
    expect(out).toContain('    process billing attempt 1\n      publish shop.invoice.issued\n        process ledger attempt 1\n');
    expect(out).toContain('    process fraud attempt 1 (failed: risk service timed out)\n    process fraud attempt 2\n');
    expect(out).toMatch(/factline_retries_total\{messaging_consumer_group_name="fraud",messaging_destination_name="shop.order.placed"\} 1/);
    expect(out).toContain('health: ready true, store ok true');
  });
});
