/**
 * Writes the Mermaid diagram of the shop's order workflow into docs/workflows.md, between the
 * markers `<!-- diagram:order -->` and `<!-- /diagram:order -->`, from the definition itself:
 *   npx tsx --conditions=factline-source scripts/workflow-diagram.ts
 * With --check it writes nothing and exits 1 when the file holds another diagram than it would
 * write (test/docs/workflows.test.ts runs that).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { orderWorkflow } from '../examples/shop/order-workflow.js';

export const DOC = join(import.meta.dirname, '..', 'docs', 'workflows.md');

/** The docs text with the order workflow's diagram block generated anew. */
export function withDiagram(text: string): string {
  const start = '<!-- diagram:order -->\n';
  const end = '<!-- /diagram:order -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${DOC} has no ${start.trim()} ... ${end} markers`);
  return `${text.slice(0, a + start.length)}\`\`\`mermaid\n${orderWorkflow().mermaid()}\n\`\`\`\n${text.slice(b)}`;
}

if (process.argv[1]?.endsWith('workflow-diagram.ts')) {
  const text = readFileSync(DOC, 'utf8');
  const next = withDiagram(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error(`${DOC}: the order workflow's diagram differs from its definition; run scripts/workflow-diagram.ts`);
      process.exit(1);
    }
    console.log('the diagram in docs/workflows.md is the definition\'s');
  } else {
    writeFileSync(DOC, next);
    console.log(`wrote the order workflow's diagram into ${DOC}`);
  }
}
