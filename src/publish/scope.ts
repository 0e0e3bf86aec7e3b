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
  /**
   * What opened the scope, for error messages: `the handler of shop.order.placed in group
   * billing`; absent for an `app.transaction()`.
   */
  readonly owner?: string;
  /** With tracing, in a handler: its attempt's span, the parent of what it publishes. */
  readonly span?: { readonly context: unknown } | undefined;
}

export const scopeStorage = new AsyncLocalStorage<Scope>();

/**
 * The message for a use of `member` (`db`, `publish(shop.invoice.issued)`) of `scope`'s handle
 * (`ctx` in a handler, `tx` in an `app.transaction()`) after its transaction ended.
 */
export function endedMessage(scope: Pick<Scope, 'owner'>, member: string): string {
  if (scope.owner === undefined) {
    return `tx.${member} was used after its app.transaction() callback had settled: that transaction is over and nothing of this call ran; `
      + 'await every query and publish inside the callback, and keep no reference to tx or tx.db for later';
  }
  return `ctx.${member} of ${scope.owner} was used after its attempt ended (the handler had returned, thrown or timed out): that transaction is over and nothing of this call ran; `
    + 'await every query and publish before the handler returns, and keep no reference to ctx or ctx.db for later';
}
