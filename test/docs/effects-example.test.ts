import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

describe('the effect handler example (docs/consumers.md)', () => {
  it('calls the provider once per order, twice for the order whose first call failed, and records each e-mail once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'factline-effects-')), 'shop.db');
    const out = execFileSync(process.execPath, ['--conditions=factline-source', '--import', 'tsx', 'examples/effects/main.ts', file], { encoding: 'utf8', timeout: 60_000 });
    const counts = [...out.matchAll(/provider calls for event \S+: (\d+)/g)].map((m) => Number(m[1]));
    expect(counts.sort()).toEqual([1, 1, 1, 1, 2]);
    expect(out).toContain('emails recorded: 5');
    const db = new Database(file, { readonly: true });
    expect(db.prepare('select count(*) as n from emails').get()).toEqual({ n: 5 });
    db.close();
  });
});
