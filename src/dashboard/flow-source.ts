import type { Engine } from '../core/engine.js';

/** The engine's flow tracer, when it has one. */
export function traceOf(engine: Engine): ((query: string) => Promise<unknown>) | undefined {
  const admin = engine.admin as { trace?: (query: string) => Promise<unknown> };
  return typeof admin.trace === 'function' ? (q) => admin.trace!(q) : undefined;
}
