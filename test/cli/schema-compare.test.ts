import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './log-fixture.js';

/** `factline schema compare` as a CI job runs it: files on disk, the exit code decides. */
describe('factline schema compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'factline-compare-'));
  const file = (name: string, schema: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(schema));
    return path;
  };
  const v1 = file('v1.json', { type: 'object', properties: { orderId: { type: 'string' }, total: { type: 'number' } }, required: ['orderId', 'total'] });
  const v2 = file('v2.json', { type: 'object', properties: { orderId: { type: 'string' }, total: { type: 'number' }, note: { type: 'string' } }, required: ['orderId', 'total'] });
  const v3 = file('v3.json', { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] });

  it('exits 0 for a compatible change', () => {
    const r = cli(['schema', 'compare', v1, v2, '--mode', 'FULL']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^compatible under FULL/);
  });

  it('exits 1 and prints each break with its field and rule', () => {
    const r = cli(['schema', 'compare', v2, v3, '--mode', 'FORWARD']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('total  [required-added]  removing required field total breaks FORWARD');
    const json = cli(['schema', 'compare', v2, v3, '--mode', 'forward', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ compatible: false, mode: 'FORWARD', breaks: [{ path: 'total', rule: 'required-added' }] });
  });

  it('uses BACKWARD by default', () => {
    expect(cli(['schema', 'compare', v2, v3]).code).toBe(0);
    expect(cli(['schema', 'compare', v3, v2]).code).toBe(1);
  });

  it('exits 2 on a usage error: unknown mode, missing file, not JSON, missing argument', () => {
    const bad = cli(['schema', 'compare', v1, v2, '--mode', 'SIDEWAYS']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode must be one of BACKWARD');
    expect(cli(['schema', 'compare', v1, join(dir, 'nope.json')]).code).toBe(2);
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, 'not json');
    expect(cli(['schema', 'compare', v1, notJson]).code).toBe(2);
    expect(cli(['schema', 'compare', v1]).code).toBe(2);
  });
});
