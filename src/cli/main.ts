import { parseArgs } from 'node:util';
import { FactlineError } from '../core/errors.js';
import { COMMANDS, GLOBAL_OPTIONS, type Command, type OptionSpec, type Values } from './commands.js';
import { commandHelp, overviewHelp } from './help.js';
import { UsageError } from './usage-error.js';

const GROUPS = new Set(COMMANDS.filter((c) => c.path.length > 1).map((c) => c.path[0]!));

function allOptions(): Record<string, OptionSpec> {
  const out: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(out, c.options);
  return out;
}

function parseOptions(specs: Record<string, OptionSpec>) {
  return Object.fromEntries(Object.entries(specs).map(([name, o]) => [name, { type: o.type }]));
}

/** The command named by the leading words of `words`, or what is missing. */
function findCommand(words: readonly string[]): { command?: Command; group?: string } {
  const [first, second] = words;
  if (first !== undefined && GROUPS.has(first)) {
    const command = COMMANDS.find((c) => c.path[0] === first && c.path[1] === second);
    return command ? { command } : { group: first };
  }
  const command = COMMANDS.find((c) => c.path.length === 1 && c.path[0] === first);
  return command ? { command } : {};
}

function parseError(err: unknown): UsageError {
  const message = (err as Error).message.split('\n')[0]!;
  return new UsageError(message.replace(/\. To specify a positional argument.*$/, '').replace(/^Unknown option/, 'unknown option'));
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Promise<number> {
  try {
    let loose;
    try {
      loose = parseArgs({ args: [...argv], options: parseOptions(allOptions()), strict: false, allowPositionals: true });
    } catch (err) {
      throw parseError(err);
    }
    const words = loose.positionals;
    const wantsHelp = loose.values.help === true;
    if (words.length === 0 && !wantsHelp) {
      process.stderr.write(`${overviewHelp([])}\n`);
      return 2;
    }
    if (words.length === 0 || (words[0] === 'help' && words.length === 1)) {
      out(overviewHelp([]));
      return 0;
    }
    const helpFor = words[0] === 'help' ? words.slice(1) : words;
    const { command, group } = findCommand(helpFor);
    if (!command) {
      if (group !== undefined && (wantsHelp || words[0] === 'help') && helpFor.length === 1) {
        out(overviewHelp([group]));
        return 0;
      }
      if (group !== undefined && helpFor.length === 1) {
        throw new UsageError(`${group} needs a subcommand: ${COMMANDS.filter((c) => c.path[0] === group).map((c) => c.path[1]).join(', ')} (see factline ${group} --help)`);
      }
      throw new UsageError(`unknown command "${helpFor.slice(0, group !== undefined ? 2 : 1).join(' ')}"; run factline --help for the list`);
    }
    if (wantsHelp || words[0] === 'help') {
      out(commandHelp(command));
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: parseOptions({ ...GLOBAL_OPTIONS, ...command.options }), strict: true, allowPositionals: true });
    } catch (err) {
      throw parseError(err);
    }
    const args = parsed.positionals.slice(command.path.length);
    if (args.length > command.args.length) {
      throw new UsageError(`unexpected argument "${args[command.args.length]}" for factline ${command.path.join(' ')}`);
    }
    command.args.forEach((a, i) => {
      if (a.required && args[i] === undefined) throw new UsageError(`factline ${command.path.join(' ')} needs <${a.name}>`);
    });
    const values = parsed.values as Values;
    const code = await command.run(values, args, { out, json: values.json === true });
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    process.stderr.write(`factline: ${oneLine(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

function oneLine(err: unknown): string {
  if (err instanceof FactlineError) return err.message.replace(/\s*\n\s*/g, ' ');
  const e = err instanceof Error ? err : new Error(String(err));
  return `unexpected error: ${e.message.replace(/\s*\n\s*/g, ' ')}`;
}

const entry = process.argv[1] ?? '';
if (/factline(\.js)?$|[\\/]cli[\\/]main\.(ts|js)$/.test(entry)) {
  process.exitCode = await main(process.argv.slice(2));
}
