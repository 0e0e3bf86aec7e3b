import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tx } from '../core/engine.js';
import type { Cause } from './build-envelope.js';

/**
 * The transaction (and the event being handled, if any) that code is running in. A publish made
 * while a scope is active joins its transaction and, inside a handler, inherits its correlation
 * and causation, even when it goes through `app.publish` rather than `ctx.publish`.
 */
export interface Scope {
  readonly tx: Tx<unknown>;
  readonly cause?: Cause;
  /** Set when the scope's transaction is over (its handler timed out or returned). */
  closed: boolean;
}

export const scopeStorage = new AsyncLocalStorage<Scope>();
