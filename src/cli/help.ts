import { COMMANDS, GLOBAL_OPTIONS, type Command, type OptionSpec } from './commands.js';

function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options).map(([name, o]) => [`--${name}${o.type === 'string' ? ` <${o.placeholder ?? 'value'}>` : ''}`, o.description] as const);
  const width = Math.max(...entries.map(([flag]) => flag.length));
  return entries.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function usageOf(c: Command): string {
  const args = c.args.map((a) => (a.required ? `<${a.name}>` : `[<${a.name}>]`)).join(' ');
  return `factline ${c.path.join(' ')}${args ? ` ${args}` : ''} [options]`;
}

export function commandHelp(c: Command): string {
  const lines = [`usage: ${usageOf(c)}`, '', c.summary];
  if (c.details) lines.push('', c.details);
  if (Object.keys(c.options).length) lines.push('', 'options:', ...optionLines(c.options));
  lines.push('', 'common options:', ...optionLines(GLOBAL_OPTIONS));
  return lines.join('\n');
}

/** Help for `factline` (prefix []) or a command group such as `factline dlq`. */
export function overviewHelp(prefix: readonly string[]): string {
  const list = COMMANDS.filter((c) => prefix.every((p, i) => c.path[i] === p));
  const width = Math.max(...list.map((c) => usageOf(c).length));
  return [
    `usage: factline ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    '',
    'commands:',
    ...list.map((c) => `  ${usageOf(c).padEnd(width)}  ${c.summary}`),
    '',
    'common options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Run factline <command> --help for the options of a command.',
  ].join('\n');
}
