import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the shop demo or the factline CLI as a child process; throws with its output unless it exits 0. */
export function run(command: 'demo' | 'cli', args: readonly string[]) {
  const script = command === 'demo' ? ['--conditions=factline-source', '--import', 'tsx', join(ROOT, 'examples', 'shop', 'main.ts')] : [join(ROOT, 'bin', 'factline.js')];
  const r = spawnSync(process.execPath, [...script, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 150_000, env: { ...process.env, FACTLINE_URL: '', FACTLINE_DB: '' },
  });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** The summary table rows: group -> [handled, retried, dead-lettered, open dead letters, lag]. */
export function summary(out: string): Record<string, number[]> {
  const table = out.slice(out.indexOf('Summary'));
  const rows: Record<string, number[]> = {};
  for (const m of table.matchAll(/^ {2}(billing|inventory|email|analytics|fraud)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/gm)) {
    rows[m[1]!] = m.slice(2, 7).map(Number);
  }
  return rows;
}

export const freshDb = () => join(mkdtempSync(join(tmpdir(), 'factline-shop-')), 'shop.db');

