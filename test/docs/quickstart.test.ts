import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

describe('the README quick start example', () => {
  it('runs, handles the order once and refuses invalid data', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'factline-qs-')), 'shop.db');
    const out = execFileSync(process.execPath, ['--conditions=factline-source', '--import', 'tsx', 'examples/quickstart/main.ts', file], { encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/published shop\.order\.placed [0-9a-f-]{36} at sequence \d{16}/);
    expect(out).toMatch(/refused: cannot publish shop\.order\.placed: field total: /);
    const placedId = /published shop\.order\.placed ([0-9a-f-]{36})/.exec(out)![1];
    expect(out).toContain(`caused by ${placedId}`);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('select order_id, amount from invoices').all()).toEqual([{ order_id: 'order-1', amount: 42.5 }]);
    db.close();
  });
});
