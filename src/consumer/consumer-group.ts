import type { StartFrom } from '../core/engine.js';
import type { EventDefinition } from '../core/event.js';
import { FactlineError } from '../core/errors.js';
import { LIMITS, checkName } from '../publish/limits.js';
import type { EffectHandler, Handler, HandlerOptions, Registration } from './handler.js';
import { retryPolicy, type RetryPolicy } from './retry-policy.js';
import type { CommitInfo, DeadLetterHook } from './settings.js';
import { commandAsEvent, type CommandDefinition } from '../core/command.js';
import { effectCommandHandler, storeCommandHandler, type CommandEffectHandler, type CommandHandler } from '../command/command-handler.js';

export interface ConsumerOptions {
  /** Where a new group starts: every stored event (`beginning`, default) or only new ones (`now`). */
  readonly startFrom?: StartFrom;
  /** Keys handled at once per partition (default 16). Events of one key always run one at a time. */
  readonly concurrency?: number;
  /** Events read and committed per transaction (default 500). */
  readonly batchSize?: number;
  /** About how many bytes of events one read holds at most (default 16 MiB): large events make smaller batches. */
  readonly batchBytes?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** A handler running longer is aborted and its attempt fails (default 30 s). */
  readonly timeoutMs?: number;
  /** Keep a key parked behind its dead letter until it is replayed or discarded (default false). */
  readonly strict?: boolean;
  /** Lease time of a member (default 10 s): a dead member's partitions move within it. */
  readonly leaseTtlMs?: number;
  readonly heartbeatMs?: number;
  /**
   * How soon an idle partition looks again for new events (default 50 ms). While none of its keys
   * is parked, each look that finds nothing doubles the wait, up to `maxPollMs`
   * (default 500 ms). New events wake it at once whenever the engine tells of them (appends in this
   * process; on PostgreSQL, any process's through LISTEN; on SQLite, through a watch on the file).
   */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  readonly onDeadLetter?: DeadLetterHook;
  /**
   * Called after each transaction of a partition commits (its handlers' effects, inbox rows and
   * position are durable): for metrics and progress. Must not throw or block.
   */
  readonly onCommitted?: (info: CommitInfo) => void;
}

/** A group's options with every default applied: what its members run with. */
export interface EffectiveConsumerOptions {
  readonly startFrom: StartFrom;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly batchBytes: number;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly strict: boolean;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  readonly pollMs: number;
  readonly maxPollMs: number;
  readonly onDeadLetter: DeadLetterHook | undefined;
  readonly onCommitted: ((info: CommitInfo) => void) | undefined;
}

/** `options` with the defaults applied (the table in docs/consumers.md). */
export function effectiveOptions(options: ConsumerOptions): EffectiveConsumerOptions {
  const leaseTtlMs = options.leaseTtlMs ?? 10_000;
  return {
    startFrom: options.startFrom ?? 'beginning',
    concurrency: options.concurrency ?? 16,
    batchSize: options.batchSize ?? 500,
    batchBytes: options.batchBytes ?? 16 * 1024 * 1024,
    retry: retryPolicy(options.retry),
    timeoutMs: options.timeoutMs ?? 30_000,
    strict: options.strict ?? false,
    leaseTtlMs,
    heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseTtlMs / 3)),
    pollMs: options.pollMs ?? 50,
    maxPollMs: Math.max(options.pollMs ?? 50, options.maxPollMs ?? 500),
    onDeadLetter: options.onDeadLetter,
    onCommitted: options.onCommitted,
  };
}

/**
 * How `later` (the options of another app.consumer() call for the same group) differs from the
 * group's `declared` options once defaults are applied, e.g. `retry.attempts: 5 before, 10 now`;
 * undefined when it does not (or when `later` gives no options at all). Hooks are compared by
 * identity.
 */
export function conflictingOptions(declared: ConsumerOptions, later: ConsumerOptions | undefined): string | undefined {
  if (later === undefined) return undefined;
  const before = effectiveOptions(declared) as unknown as Record<string, unknown>;
  const now = effectiveOptions(later) as unknown as Record<string, unknown>;
  const show = (v: unknown) => (typeof v === 'function' ? 'a function' : v === undefined ? 'none' : JSON.stringify(v));
  const out: string[] = [];
  for (const key of Object.keys(before)) {
    const [a, b] = [before[key], now[key]];
    if (key === 'retry') {
      const [ra, rb] = [a as Record<string, unknown>, b as Record<string, unknown>];
      for (const k of Object.keys(ra)) if (ra[k] !== rb[k]) out.push(`retry.${k}: ${show(ra[k])} before, ${show(rb[k])} now`);
    } else if (a !== b) {
      out.push(typeof a === 'function' && typeof b === 'function' ? `${key}: another function now` : `${key}: ${show(a)} before, ${show(b)} now`);
    }
  }
  return out.length ? out.join('; ') : undefined;
}

/** A named subscriber: its handlers, one per event type and version. */
export class ConsumerGroup<Db = unknown> {
  readonly handlers = new Map<string, Map<number, Registration>>();
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;

  constructor(
    readonly name: string,
    readonly options: ConsumerOptions,
    private readonly assertNotStarted: () => void,
  ) {
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw new FactlineError('INVALID_ARGUMENT', `consumer group name "${String(name).slice(0, 80)}" must be letters, digits, dots, dashes or underscores`);
    }
    checkName('consumer group name', name, LIMITS.groupBytes);
    const effective = effectiveOptions(options);
    this.retry = effective.retry;
    this.timeoutMs = effective.timeoutMs;
  }

  /**
   * Registers the store handler of one event type and version: it runs inside the transaction that
   * commits its inbox row, batched with other events. Store work only (`ctx.db`, `ctx.publish`);
   * for calls to the outside world use `effect()`. Returns the group for chaining.
   */
  on<D extends EventDefinition>(definition: D, handler: Handler<D, Db>, options: HandlerOptions = {}): this {
    return this.register(definition, 'store', handler as Registration['handler'], options);
  }

  /**
   * Registers the effect handler of one event type and version: it runs with no transaction open
   * (it may await anything), and what it returns, a commit step, commits with its inbox row
   * afterwards. Only a failed event's effect repeats. Returns the group for chaining.
   */
  effect<D extends EventDefinition>(definition: D, handler: EffectHandler<D, Db>, options: HandlerOptions = {}): this {
    return this.register(definition, 'effect', handler as Registration['handler'], options);
  }

  /**
   * Registers the handler of a command type and version, a store handler: it accepts the command
   * by returning, rejects it by throwing CommandRejection (the outcome, never retried), and fails
   * by throwing anything else (retried, then a dead letter, as for events). The decision commits
   * with its writes and inbox row. Only one group in the system may handle a command type: start()
   * refuses a second with CommandHandlerConflictError.
   */
  handle<C extends CommandDefinition>(command: C, handler: CommandHandler<C, Db>, options: HandlerOptions = {}): this {
    return this.register(commandAsEvent(command), 'store', storeCommandHandler(handler as CommandHandler<CommandDefinition, Db>) as Registration['handler'], options, true);
  }

  /**
   * Registers a command's effect handler: it runs with no transaction open (a payment API call),
   * rejects by throwing CommandRejection, and its commit step commits with the decision.
   */
  handleEffect<C extends CommandDefinition>(command: C, handler: CommandEffectHandler<C, Db>, options: HandlerOptions = {}): this {
    return this.register(commandAsEvent(command), 'effect', effectCommandHandler(handler as CommandEffectHandler<CommandDefinition, Db>) as Registration['handler'], options, true);
  }

  private register(definition: EventDefinition, kind: Registration['kind'], handler: Registration['handler'], options: HandlerOptions, command = false): this {
    this.assertNotStarted();
    let versions = this.handlers.get(definition.type);
    if (!versions) this.handlers.set(definition.type, (versions = new Map()));
    const existing = versions.get(definition.version);
    if (existing && !existing.upcast) {
      throw new FactlineError('INVALID_ARGUMENT', `group ${this.name} already handles ${definition.type} version ${definition.version}`);
    }
    const registration: Registration = {
      definition,
      kind,
      handler,
      retry: retryPolicy(options.retry, this.retry),
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      ...(command ? { command: true } : {}),
    };
    versions.set(definition.version, registration);
    // Older versions reach this handler through the upcast chain, unless the group handles them itself.
    const steps: EventDefinition[] = [];
    for (let at: EventDefinition | undefined = definition; at?.previous; at = at.previous) {
      steps.unshift(at);
      const older = versions.get(at.previous.version);
      if (older && !older.upcast) break;
      versions.set(at.previous.version, { ...registration, upcast: { source: at.previous, steps: [...steps] } });
    }
    return this;
  }
}
