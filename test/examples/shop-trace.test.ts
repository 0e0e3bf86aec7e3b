import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDb, run } from './shop-run.js';

const ROOT = join(import.meta.dirname, '..', '..');

function trace(args: readonly string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'factline.js'), 'trace', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, FACTLINE_URL: '', FACTLINE_DB: '' } });
  return { code: r.status, stdout: r.stdout };
}

describe('the shop demo and factline trace', () => {
  it('prints the trace command of an order that went through and of one stuck in fraud, and both answer', () => {
    const db = freshDb();
    const out = run('demo', ['--db', db, '--orders', '40']);
    const complete = /npx factline trace (\S+) --db \S+ {4}# went through/.exec(out)?.[1];
    const stuck = /npx factline trace (\S+) --db \S+ {4}# stuck in fraud/.exec(out)?.[1];
    expect(complete).toBeDefined();
    expect(stuck).toMatch(/-0017$/);

    const ok = trace([complete!, '--db', db, '--json']);
    expect(ok.code).toBe(0);
    const flow = JSON.parse(ok.stdout) as { matched: string; verdict: { state: string }; events: { type: string; outcomes: { group: string | null; state: string }[] }[] };
    expect(flow).toMatchObject({ matched: 'subject', verdict: { state: 'complete' } });
    const placed = flow.events.find((e) => e.type === 'shop.order.placed')!;
    expect(placed.outcomes.map((o) => o.group).sort()).toEqual(['analytics', 'billing', 'email', 'fraud', 'inventory', 'workflow.order']);
    expect(placed.outcomes.every((o) => o.state === 'handled')).toBe(true);
    expect(flow.events.length).toBeGreaterThan(1);

    const bad = trace([stuck!, '--db', db]);
    expect(bad.code).toBe(4);
    expect(bad.stdout).toMatch(/^stuck: shop\.order\.placed \S+-0017 is a dead letter in group fraud since /m);
    expect(bad.stdout).toMatch(/fraud\s+DEAD LETTER since .*no risk profile for shipping country NO/);
  }, 180_000);
});
