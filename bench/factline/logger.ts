/**
 * The logger the bench's Factline apps use in the new scenarios: a failed attempt is a warning
 * per event (400 of them in the flaky scenario), which would flood the run log. Warnings are
 * counted; errors are counted and the first few printed.
 */
import type { Logger } from 'factline';

export interface CountingLogger extends Logger {
  readonly counts: { warn: number; error: number };
}

export function countingLogger(label: string, printErrors = 5): CountingLogger {
  const counts = { warn: 0, error: 0 };
  const logger: CountingLogger = {
    counts,
    debug: () => undefined,
    info: () => undefined,
    warn: () => void counts.warn++,
    error: (fields, message) => {
      if (++counts.error <= printErrors) console.error(`  ${label}: factline error: ${message} ${JSON.stringify(fields).slice(0, 300)}`);
    },
  };
  return logger;
}
