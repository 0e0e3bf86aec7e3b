/** The logger Factline writes to: pino-compatible (`logger.error(fields, message)`), injectable. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  child?(fields: Record<string, unknown>): Logger;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * The default logger: one JSON line per entry on stderr, at `FACTLINE_LOG_LEVEL` or above
 * (default `warn`).
 */
export function jsonLogger(level: Level = (process.env.FACTLINE_LOG_LEVEL as Level | undefined) ?? 'warn', bound: Record<string, unknown> = {}): Logger {
  const min = Math.max(0, LEVELS.indexOf(level));
  const write = (lvl: Level) => (fields: Record<string, unknown>, message: string) => {
    if (LEVELS.indexOf(lvl) < min) return;
    process.stderr.write(`${JSON.stringify({ level: lvl, time: new Date().toISOString(), ...bound, ...fields, msg: message })}\n`);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => jsonLogger(level, { ...bound, ...fields }),
  };
}

/** A logger with `fields` on every line. */
export function bindLogger(logger: Logger, fields: Record<string, unknown>): Logger {
  if (logger.child) return logger.child(fields);
  return {
    debug: (f, m) => logger.debug({ ...fields, ...f }, m),
    info: (f, m) => logger.info({ ...fields, ...f }, m),
    warn: (f, m) => logger.warn({ ...fields, ...f }, m),
    error: (f, m) => logger.error({ ...fields, ...f }, m),
  };
}
