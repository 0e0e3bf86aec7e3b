import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The header's "in a clone" command of an example, run as written, from a fresh directory. */
function runHeaderCommand(example: string, args = ''): { out: string; cwd: string } {
  const header = read(example).split('\n').filter((l) => l.startsWith('//'));
  const command = header.map((l) => /^\/\/\s+(npx tsx (?:--\S+ )*examples\/\S+\.ts)/.exec(l)?.[1]).find((c) => c !== undefined);
  expect(command, `${example} names the command that runs it`).toBeDefined();
  expect(command).toContain(example);
  // In a fresh directory, so that the files it writes (shop.db) are its own: the same command with absolute paths.
  const cwd = mkdtempSync(join(tmpdir(), 'factline-example-'));
  const absolute = command!.replace(/^npx tsx/, join(ROOT, 'node_modules', '.bin', 'tsx')).replace(example, join(ROOT, example));
  return { out: execSync(`${absolute} ${args}`, { cwd, encoding: 'utf8', timeout: 60_000 }), cwd };
}

describe('the README\'s "What you write"', () => {
  it('is the #region readme of examples/quickstart/main.ts, character for character', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## What you write'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const region = read('examples/quickstart/main.ts').split('// #region readme\n')[1]!.split('// #endregion')[0];
    expect(block).toBe(region);
    // Pasted into a file of its own it needs nothing else: every name it uses is defined or imported in it.
    expect(region).toMatch(/^import \{ z \} from 'zod';\nimport \{ createFactline, defineEvent \} from 'factline';/);
    expect(region).toContain('const InvoiceIssued = defineEvent(');
    expect(region).toContain('const mailer = {');
    expect(region).toContain('create table if not exists invoices');
    expect(region).toContain('stopOnSignals: true');
  });

  it('runs with the command in its header: the order and its event commit, billing and email handle it once', () => {
    const { out, cwd } = runHeaderCommand('examples/quickstart/main.ts');
    expect(out).toMatch(/published shop\.order\.placed [0-9a-f-]{36} \(sequence 1 of its partition\)/);
    expect(out).toMatch(/refused: cannot publish shop\.order\.placed: field total: /);
    expect(out).toMatch(/invoiced order-\d+; e-mailed ana@example\.com \(message msg-[0-9a-f]{12}\)/);
    const placedId = /published shop\.order\.placed ([0-9a-f-]{36})/.exec(out)![1]!;
    const db = new Database(join(cwd, 'shop.db'), { readonly: true });
    try {
      expect(db.prepare('select count(*) as n from orders').get()).toEqual({ n: 1 });
      expect(db.prepare('select count(*) as n from invoices').get()).toEqual({ n: 1 });
      expect(db.prepare('select event_id from emails').all()).toEqual([{ event_id: placedId }]);
      // The follow-up event carries the correlation and causation of the order's event.
      const invoice = JSON.parse((db.prepare("select body from factline_events where type = 'shop.invoice.issued'").get() as { body: string }).body) as Record<string, string>;
      expect(invoice).toMatchObject({ causationid: placedId, correlationid: placedId });
      // stop() released the leases (stopOnSignals listens only between start and stop).
      expect(db.prepare('select count(*) as n from factline_leases where expires_at > ?').get(Date.now())).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});

describe('the effect handler example (docs/consumers.md)', () => {
  it('runs with the command in its header: the provider is called once per order, twice for the one that failed first', () => {
    const { out, cwd } = runHeaderCommand('examples/effects/main.ts', 'shop.db');
    const counts = [...out.matchAll(/provider calls for event \S+: (\d+)/g)].map((m) => Number(m[1]));
    expect(counts.sort()).toEqual([1, 1, 1, 1, 2]);
    expect(out).toContain('emails recorded: 5');
    const db = new Database(join(cwd, 'shop.db'), { readonly: true });
    expect(db.prepare('select count(*) as n from emails').get()).toEqual({ n: 5 });
    db.close();
  });
});
