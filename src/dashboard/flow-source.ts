import type { Engine } from '../core/engine.js';
import type { FlowTrace } from '../core/trace.js';

/** The engine's flow tracer (`admin.trace`), when it has one: an engine built before traces may lack it. */
export function traceOf(engine: Engine): ((query: string) => Promise<FlowTrace>) | undefined {
  const admin: Partial<Pick<Engine['admin'], 'trace'>> = engine.admin;
  return typeof admin.trace === 'function' ? (q) => admin.trace!(q) : undefined;
}
