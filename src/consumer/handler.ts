import type { Envelope } from '../core/envelope.js';
import type { DataOf, EventDefinition, InputOf } from '../core/event.js';
import type { Logger } from '../observe/logger.js';
import type { PublishOptions } from '../publish/build-envelope.js';
import type { RetryPolicy } from './retry-policy.js';

/** What a handler receives besides the event. */
export interface HandlerContext<Db = unknown> {
  /** The transaction the inbox row commits in: do the handler's own writes here. */
  readonly db: Db;
  readonly group: string;
  /** 1 on the first delivery, then 2, 3... (stored, so a crash does not reset it). */
  readonly attempt: number;
  /** Aborted when the handler runs past the group's timeout. */
  readonly signal: AbortSignal;
  /** Bound with the event id, type, correlation id and group. */
  readonly log: Logger;
  /** Publishes in the handler's transaction; correlation and causation are set from the handled event. */
  publish<D extends EventDefinition>(definition: D, data: InputOf<D>, options?: PublishOptions): Promise<Envelope<DataOf<D>>>;
}

export type Handler<D extends EventDefinition, Db = unknown> = (
  event: Envelope<DataOf<D>>,
  ctx: HandlerContext<Db>,
) => Promise<void> | void;

/** What an effect handler receives besides the event: no transaction is open while it runs. */
export interface EffectContext {
  readonly group: string;
  /** 1 on the first delivery, then 2, 3... (stored, so a crash does not reset it). */
  readonly attempt: number;
  /** Aborted when the handler runs past its timeout. */
  readonly signal: AbortSignal;
  /** Bound with the event id, type, correlation id and group. */
  readonly log: Logger;
}

/**
 * The store part of an effect handler, returned by it: runs in a short transaction that commits
 * with the event's inbox row, after the outside work succeeded. Store work only (`ctx.db`,
 * `ctx.publish`): it must not wait on anything but the store.
 */
export type CommitStep<Db = unknown> = (ctx: HandlerContext<Db>) => Promise<void> | void;

/**
 * A handler that calls the outside world (an e-mail provider, a payment API). It runs with no
 * transaction open; what it returns, if anything, is its commit step.
 */
export type EffectHandler<D extends EventDefinition, Db = unknown> = (
  event: Envelope<DataOf<D>>,
  ctx: EffectContext,
) => Promise<CommitStep<Db> | void> | CommitStep<Db> | void;

export interface HandlerOptions {
  /** Overrides the group's retry policy for this event type. */
  readonly retry?: Partial<RetryPolicy>;
  /** Overrides the group's handler timeout for this event type. */
  readonly timeoutMs?: number;
}

export interface Registration {
  readonly definition: EventDefinition;
  /** `store`: runs inside the consume transaction; `effect`: runs outside any transaction. */
  readonly kind: 'store' | 'effect';
  readonly handler: Handler<EventDefinition, unknown> | EffectHandler<EventDefinition, unknown>;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  /** Set for a command's handler (declared with kind `command`: one handler in the system). */
  readonly command?: boolean;
  /**
   * Set on the registration an older version reaches through upcasting: its events are checked
   * with `source`'s schema, then each of `steps` upcasts them (oldest first), then `definition`'s
   * schema checks the result.
   */
  readonly upcast?: { readonly source: EventDefinition; readonly steps: readonly EventDefinition[] };
}
