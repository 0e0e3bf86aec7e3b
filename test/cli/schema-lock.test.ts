import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { cli } from './log-fixture.js';

const modules = join(import.meta.dirname, 'schema-modules');

/** `factline schema lock` and `check` as a CI job runs them: a module, a committed lock file, exit codes. */
describe('factline schema lock, check and export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'factline-lock-'));
  const lock = join(dir, 'factline.schemas.lock.json');

  it('writes the lock from the definitions a module exports', () => {
    const r = cli(['schema', 'lock', join(modules, 'v1.ts'), '--lock', lock]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 event type, 1 version');
    const written = JSON.parse(readFileSync(lock, 'utf8')) as { types: Record<string, { compatibility: string; versions: Record<string, { fingerprint: string }> }> };
    expect(written.types['shop.order.placed']!.compatibility).toBe('BACKWARD');
    expect(written.types['shop.order.placed']!.versions['1']!.fingerprint).toMatch(/^sha256:/);
  });

  it('passes an unchanged module and a compatible new version (exit 0)', () => {
    expect(cli(['schema', 'check', join(modules, 'v1.ts'), '--lock', lock]).code).toBe(0);
    const r = cli(['schema', 'check', join(modules, 'v2-additive.ts'), '--lock', lock]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('no breaking change');
  });

  it('fails a breaking new version, printing type, version, field and rule (exit 1)', () => {
    const r = cli(['schema', 'check', join(modules, 'v2-breaking.ts'), '--lock', lock]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/BREAK\s+shop\.order\.placed v2\s+currency\s+\[required-added\]\s+adding required field currency breaks BACKWARD: events of v1 may lack it/);
    const json = JSON.parse(cli(['schema', 'check', join(modules, 'v2-breaking.ts'), '--lock', lock, '--json']).stdout) as { compatible: boolean; findings: unknown[] };
    expect(json.compatible).toBe(false);
    expect(json.findings).toContainEqual(expect.objectContaining({ type: 'shop.order.placed', version: 2, path: 'currency', rule: 'required-added', breaking: true }));
  });

  it('fails a changed schema of a locked version (exit 1)', () => {
    const r = cli(['schema', 'check', join(modules, 'v1-changed.ts'), '--lock', lock]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BREAK\s+shop\.order\.placed v1\s+total\s+\[type-narrowed\]\s+changing published v1/);
  });

  it('exits 2 without a lock file or a module', () => {
    const none = cli(['schema', 'check', join(modules, 'v1.ts'), '--lock', join(dir, 'missing.json')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('factline schema lock');
    expect(cli(['schema', 'check', join(dir, 'nope.ts'), '--lock', lock]).code).toBe(2);
    expect(cli(['schema', 'export', join(modules, 'v1.ts')]).code).toBe(2);
  });

  it('exports an AsyncAPI 3.0 document that @asyncapi/parser accepts', async () => {
    const out = join(dir, 'asyncapi.json');
    const r = cli(['schema', 'export', '--asyncapi', join(modules, 'v2-additive.ts'), '--out', out, '--title', 'Shop']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const { document, diagnostics } = await new Parser().parse(readFileSync(out, 'utf8'));
    expect(diagnostics.filter((d) => d.severity === 0), JSON.stringify(diagnostics)).toEqual([]);
    expect(document!.version()).toBe('3.0.0');
    const channel = document!.channels().get('shop.order.placed')!;
    expect(channel.address()).toBe('shop.order.placed');
    expect(channel.messages().all().map((m) => m.id()).sort()).toEqual(['shop.order.placed.v1', 'shop.order.placed.v2']);
    const v2 = channel.messages().all().find((m) => m.id() === 'shop.order.placed.v2')!;
    expect(v2.payload()!.properties()!.currency).toBeDefined();
    expect(v2.headers()!.properties()!.specversion).toBeDefined();
  });
});
