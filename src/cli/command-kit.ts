import { openStore, resolveTarget, type OpenStore, type TargetFlags } from './connect.js';
import { UsageError } from './usage-error.js';

/** What every command is made of: its options, arguments, and how it runs and writes. */
export type OptionSpec = { readonly type: 'string' | 'boolean'; readonly description: string; readonly placeholder?: string };
export type Values = Record<string, string | boolean | undefined>;

/** Where a command writes: stdout for results, and a flag for machine-readable output. */
export interface Io {
  out(text: string): void;
  readonly json: boolean;
}

export interface Command {
  readonly path: readonly string[];
  readonly args: readonly { readonly name: string; readonly required: boolean }[];
  readonly summary: string;
  readonly details?: string;
  readonly options: Record<string, OptionSpec>;
  /** Resolves to the exit code when it is not 0 (a command that found what it reports). */
  run(values: Values, args: readonly string[], io: Io): Promise<void | number>;
}

export const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

export function flags(v: Values): TargetFlags {
  return { db: str(v, 'db'), url: str(v, 'url'), schema: str(v, 'schema') };
}

/** Opens the log, runs `fn`, and closes the log whatever happens. */
export async function withStore<T>(v: Values, fn: (store: OpenStore) => Promise<T>): Promise<T> {
  const store = await openStore(resolveTarget(flags(v)));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function emit(io: Io, data: unknown, text: string): void {
  io.out(io.json ? JSON.stringify(data, null, 2) : text);
}

export function requireNonEmpty(v: Values, name: string, what: string): string | undefined {
  const value = str(v, name);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs ${what}`);
  return value;
}
