import type { Engine } from '../core/engine.js';
import type { FlowView } from './page-flow.js';

/** The engine's flow tracer, when it has one. */
export function traceOf(engine: Engine): ((query: string) => Promise<FlowView>) | undefined {
  const admin = engine.admin as { trace?: (query: string) => Promise<FlowView> };
  return typeof admin.trace === 'function' ? (q) => admin.trace!(q) : undefined;
}
