import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('examples/schemas (docs/schemas.md, "Evolving an event safely")', () => {
  it('runs with the command in its header: v1 upcast for the v2 consumer, the breaking v3 refused, the registry listed', () => {
    const header = readFileSync(join(ROOT, 'examples/schemas/main.ts'), 'utf8').split('\n').filter((l) => l.startsWith('//'));
    const command = header.map((l) => /^\/\/\s+(npx tsx (?:--\S+ )*examples\/\S+\.ts)/.exec(l)?.[1]).find((c) => c !== undefined);
    expect(command).toBe('npx tsx --conditions=factline-source examples/schemas/main.ts');
    const cwd = mkdtempSync(join(tmpdir(), 'factline-example-'));
    const absolute = command!.replace(/^npx tsx/, join(ROOT, 'node_modules', '.bin', 'tsx')).replace('examples/', `${ROOT}/examples/`);
    const out = execSync(`${absolute} ${join(cwd, 'shop.db')}`, { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(out).toContain('v1 -> v2 under FULL: compatible');
    expect(out).toContain('billing handled: o-1 42 EUR (published as v1); o-2 10 NOK (published as v2)');
    expect(out).toContain('refused (SCHEMA_INCOMPATIBLE): channel: required-added');
    expect(out).toMatch(/registry: shop\.order\.placed v1 BACKWARD sha256:[0-9a-f]{8}\.\.\. registered by producer shop\/orders/);
    expect(out).toMatch(/registry: shop\.order\.placed v2 BACKWARD sha256:[0-9a-f]{8}\.\.\. registered by group billing/);
    expect(out).not.toMatch(/shop\.order\.placed v3/);
  });
});

describe('the shop demo\'s shop.invoice.issued v2', () => {
  it('hands an invoice stored as v1 to a v2 handler, upcast with its currency', () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const out = execSync(`${tsx} --conditions=factline-source ${join(ROOT, 'test/examples/shop-invoice-v1.ts')}`, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out)).toEqual([{ version: 1, data: { invoiceId: 'inv-1', orderId: 'o-1', email: 'a@example.com', amount: 500, currency: 'EUR' } }]);
  });
});
