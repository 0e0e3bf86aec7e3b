// Helpers for your own tests, exported as `factline/testing/helpers`: they need neither vitest nor
// zod, so any test runner can use them (`factline/testing`, the contract suite, needs vitest).
import type { Logger } from '../observe/logger.js';

/**
 * Waits until `check` returns a truthy value, polling every 20 ms, and resolves to that value. A
 * check that throws counts as not yet; after `timeoutMs` (default 20 s) it rejects with
 * `timed out waiting for <what>` and the last error thrown, if any.
 */
export async function eventually<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One entry a memoryLogger() kept. */
export interface LogEntry {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A logger that keeps entries in memory, for tests that check what was logged. */
export function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void entries.push({ level, fields, message });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
