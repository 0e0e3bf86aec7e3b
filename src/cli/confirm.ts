import { createInterface } from 'node:readline/promises';
import { UsageError } from './usage-error.js';

/**
 * Asks on the terminal before a change that runs handlers again. Without `--yes`, a stdin that is
 * not a terminal (a script, a pipe) is refused, so a command line copied into a script never
 * rewinds by accident; on a terminal the user must type `expected`.
 */
export async function confirm(question: string, expected: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new UsageError(`${question}: refused without --yes, because stdin is not a terminal`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question}\ntype ${expected} to go on: `);
    if (answer.trim() !== expected) throw new UsageError('not confirmed: nothing changed');
  } finally {
    rl.close();
  }
}
