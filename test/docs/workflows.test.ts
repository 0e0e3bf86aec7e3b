import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The first ```ts block after `heading` in a doc. */
function block(doc: string, heading: string): string {
  const text = read(doc);
  return /```ts\n([\s\S]*?)```/.exec(text.slice(text.indexOf(heading)))![1]!;
}

const region = (file: string, name: string) => read(file).split(`// #region ${name}\n`)[1]!.split('// #endregion')[0]!;

describe('docs/commands.md', () => {
  it('shows examples/commands/main.ts, which runs and prints what its comments say', () => {
    expect(block('docs/commands.md', '# Commands')).toBe(region('examples/commands/main.ts', 'commands'));
    expect(read('examples/commands/main.ts')).toContain('//   npx tsx --conditions=factline-source examples/commands/main.ts');
    const out = execSync(`${tsx} --conditions=factline-source examples/commands/main.ts`, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(out.trim().split('\n')).toEqual(['o-1: accepted', 'o-2: rejected only 1 mug left', 'cancelled o-4: true', 'o-3: accepted']);
  });
});

describe('docs/workflows.md', () => {
  it('shows examples/workflows/main.ts, which runs and prints what the doc says', () => {
    expect(block('docs/workflows.md', '## Defining a workflow')).toBe(region('examples/workflows/main.ts', 'workflow'));
    const out = execSync(`${tsx} --conditions=factline-source examples/workflows/main.ts`, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const lines = out.trim().split('\n');
    const doc = read('docs/workflows.md');
    const printed = /It prints:\n\n```\n([\s\S]*?)```/.exec(doc)![1]!.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(printed);
    expect(lines.slice(3).join('\n')).toContain('AwaitingPayment --> Cancelled: after 300 ms (payment)');
  });

  it('holds the order workflow\'s diagram as the definition generates it (scripts/workflow-diagram.ts)', () => {
    const out = execSync(`${tsx} --conditions=factline-source scripts/workflow-diagram.ts --check`, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(out).toContain('is the definition');
    expect(read('docs/workflows.md')).toContain('<!-- diagram:order -->\n```mermaid\nstateDiagram-v2\n  [*] --> OrderPending: shop.order.placed\n');
  });
});
