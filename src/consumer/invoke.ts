import type { Tx } from '../core/engine.js';
import type { Envelope } from '../core/envelope.js';
import { validateData, type DataOf, type EventDefinition, type InputOf } from '../core/event.js';
import type { Cause, PublishOptions } from '../publish/build-envelope.js';
import { FactlineError, HandlerTimeoutError, NonRetryableError, TransactionEndedError, VersionAheadError } from '../core/errors.js';
import type { NewerVersions } from './newer-versions.js';
import type { Logger } from '../observe/logger.js';
import { bindLogger } from '../observe/logger.js';
import { endedMessage, scopeStorage, type Scope } from '../publish/scope.js';
import type { CommitStep, EffectHandler, Handler, HandlerContext, Registration } from './handler.js';
import type { Publisher } from './publisher.js';
import { Deadlines } from './deadlines.js';
import type { AttemptSpan, ProcessTracing } from '../observe/telemetry.js';

/** An event parsed for a group: its envelope and the handler registered for its type and version. */
export interface Delivery {
  readonly envelope: Envelope;
  readonly registration: Registration;
  /** Set once `envelope.data` holds the schema's output. */
  readonly valid?: boolean;
  /** With tracing: the span of the effect handler's attempt, parent of its commit step's publishes. */
  readonly span?: AttemptSpan | undefined;
}

/**
 * Parses a stored body and finds its handler. Throws NonRetryableError for a body that is not an
 * envelope or a version the group has no handler for.
 */
export function prepareDelivery(body: string, type: string, versions: ReadonlyMap<number, Registration>, newer?: NewerVersions): Delivery {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(body) as Envelope;
  } catch (err) {
    throw new NonRetryableError(`malformed event: its stored body is not JSON (${(err as Error).message})`);
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.id !== 'string' || envelope.type !== type) {
    throw new NonRetryableError('malformed event: its stored body is not a Factline envelope');
  }
  const version = Number(envelope.dataversion);
  const registration = versions.get(version);
  if (!registration) {
    if (newer && Number.isInteger(version) && isNewer(version, versions)) return { envelope, registration: newer.deliverable(type, version, versions) };
    throw new NonRetryableError(`unknown version: ${type} version ${String(envelope.dataversion)} has no handler in this group (it handles ${[...versions.keys()].join(', ')})`);
  }
  return { envelope, registration, valid: false };
}

/** Whether `version` is above every version the group handles itself. */
function isNewer(version: number, versions: ReadonlyMap<number, Registration>): boolean {
  for (const [v, r] of versions) if (!r.upcast && v >= version) return false;
  return true;
}

/**
 * prepareDelivery, asking the registry first when the event is of a newer version than the group
 * handles and no verdict is known yet. Throws what prepareDelivery throws.
 */
export async function prepareResolving(body: string, type: string, versions: ReadonlyMap<number, Registration>, newer?: NewerVersions): Promise<Delivery> {
  try {
    return prepareDelivery(body, type, versions, newer);
  } catch (err) {
    if (!(err instanceof VersionAheadError) || err.resolved || !newer) throw err;
    await newer.resolve(type, Number((JSON.parse(body) as Envelope).dataversion), versions);
    return prepareDelivery(body, type, versions, newer);
  }
}

const deadlines = new Deadlines();

/** The fields of every log line about handling `e`: the event, the group, the attempt and, with tracing, the span. */
export function eventLogFields(e: Pick<Envelope, 'id' | 'type' | 'subject' | 'correlationid'>, group: string, attempt: number, span: AttemptSpan | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = { eventId: e.id, eventType: e.type, subject: e.subject, correlationId: e.correlationid, group, attempt };
  if (span) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

/**
 * The handler context, which is also the handler's publish scope: one object per delivery, and
 * nothing else made unless the handler asks for it (signal, logger, causation).
 */
class Context implements HandlerContext<unknown>, Scope {
  closed = false;
  controller: AbortController | undefined;
  /** With tracing: the attempt's span (log fields, parent of the handler's publishes). */
  span: AttemptSpan | undefined = undefined;
  private logger: Logger | undefined;

  constructor(
    private readonly txOrNone: Tx<unknown> | undefined,
    private readonly envelope: Envelope,
    readonly group: string,
    readonly attempt: number,
    private readonly baseLogger: Logger,
    private readonly publisher: Publisher,
    private readonly step = false,
  ) {}

  /** Who this context belongs to, as error messages name it. */
  get owner(): string {
    const of = `of ${this.envelope.type} in group ${this.group}`;
    if (this.step) return `the commit step of the effect handler ${of}`;
    return this.txOrNone ? `the handler ${of}` : `the effect handler ${of}`;
  }

  get tx(): Tx<unknown> {
    if (!this.txOrNone) {
      throw new FactlineError('NO_TRANSACTION', `the effect handler of ${this.envelope.type} in group ${this.group} runs with no transaction open: return a commit step, (ctx) => { ctx.db...; ctx.publish(...) }, for its store work`);
    }
    return this.txOrNone;
  }

  get db(): unknown {
    const tx = this.tx; // an effect handler never has one: NO_TRANSACTION, attempt over or not
    if (this.closed) throw new TransactionEndedError(endedMessage(this, 'db'));
    return tx.db;
  }

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  get log(): Logger {
    const e = this.envelope;
    return (this.logger ??= bindLogger(this.baseLogger, eventLogFields(e, this.group, this.attempt, this.span)));
  }

  get cause(): Cause {
    const e = this.envelope;
    return { id: e.id, correlationid: e.correlationid, ...(e.traceparent ? { traceparent: e.traceparent } : {}), ...(e.tracestate ? { tracestate: e.tracestate } : {}) };
  }

  publish<D extends EventDefinition>(definition: D, input: InputOf<D>, options?: PublishOptions): Promise<Envelope<DataOf<D>>> {
    return this.publisher(this, definition, input, options) as Promise<Envelope<DataOf<D>>>;
  }
}

/**
 * Runs one handler in `tx`: validates the data against the registered schema, aborts the
 * handler's signal after its timeout and fails the attempt then. After the attempt the context is
 * closed: `ctx.db` and `ctx.publish` throw. Returns nothing for a handler that completed
 * synchronously (throwing if it threw), else a promise; no timer, signal or logger is made unless
 * the handler needs one.
 */
export function invoke(
  delivery: Delivery,
  tx: Tx<unknown>,
  group: string,
  attempt: number,
  logger: Logger,
  publisher: Publisher,
  tracing: ProcessTracing | undefined,
): void | Promise<void> {
  // The common case (valid data, a handler that completes synchronously) makes no closure or promise.
  if (!delivery.valid) {
    const data = checkedData(delivery);
    if (data instanceof Promise) {
      return data.then((valid) => {
        accept(delivery, valid);
        return ignoreValue(start(delivery, tx, group, attempt, logger, publisher, tracing));
      });
    }
    accept(delivery, data);
  }
  return ignoreValue(start(delivery, tx, group, attempt, logger, publisher, tracing));
}

function ignoreValue(r: unknown): void | Promise<void> {
  return r instanceof Promise ? r.then(noValue) : undefined;
}

function noValue(): undefined {
  return undefined;
}

/** The envelope was parsed for this delivery alone: it takes the schema's output in place. */
function accept(delivery: Delivery, data: unknown): void {
  (delivery.envelope as { data: unknown }).data = data;
  (delivery as { valid?: boolean }).valid = true;
}

/** Runs the attempt, inside its span when tracing or metrics are on. */
function start(delivery: Delivery, tx: Tx<unknown> | undefined, group: string, attempt: number, logger: Logger, publisher: Publisher, tracing: ProcessTracing | undefined): unknown {
  if (tracing) return traced(tracing, delivery.envelope, delivery, tx, group, attempt, logger, publisher);
  return run(delivery.envelope, delivery, tx, group, attempt, logger, publisher, undefined);
}

/** `run` inside the attempt's span (tracing or metrics on). */
function traced(tracing: ProcessTracing, envelope: Envelope, delivery: Delivery, tx: Tx<unknown> | undefined, group: string, attempt: number, logger: Logger, publisher: Publisher): unknown {
  return tracing.run(envelope, attempt, (span) => {
    if (!tx) (delivery as { span?: AttemptSpan }).span = span;
    return run(envelope, delivery, tx, group, attempt, logger, publisher, span);
  });
}

/**
 * Runs an effect handler with no transaction open: validates the data, aborts its signal after its
 * timeout. Resolves to its commit step, if it returned one.
 */
export async function invokeEffect(delivery: Delivery, group: string, attempt: number, logger: Logger, publisher: Publisher, tracing: ProcessTracing | undefined): Promise<CommitStep | undefined> {
  const result = await validated(delivery, () => start(delivery, undefined, group, attempt, logger, publisher, tracing));
  if (result === undefined) return undefined;
  if (typeof result !== 'function') {
    throw new NonRetryableError(`the effect handler of ${delivery.envelope.type} in group ${group} returned ${typeof result}; it may return nothing or a commit step function`);
  }
  return result as CommitStep;
}

/** Runs an effect handler's commit step in `tx`, as a store handler of the same event. */
export function runCommitStep(step: CommitStep, delivery: Delivery, tx: Tx<unknown>, group: string, attempt: number, logger: Logger, publisher: Publisher): void | Promise<void> {
  const ctx = new Context(tx, delivery.envelope, group, attempt, logger, publisher, true);
  if (delivery.span) ctx.span = delivery.span;
  const end = () => {
    ctx.closed = true;
  };
  let result: unknown;
  try {
    result = scopeStorage.run(ctx, () => step(ctx));
  } catch (err) {
    end();
    throw err;
  }
  if (!(result instanceof Promise)) return end();
  return result.then(end, (err: unknown) => {
    end();
    throw err;
  });
}

/** Validates the data against the registered schema (once per delivery), then calls `next`. */
function validated<R>(delivery: Delivery, next: (envelope: Envelope) => R | Promise<R>): R | Promise<R> {
  const { envelope } = delivery;
  if (delivery.valid) return next(envelope);
  const data = checkedData(delivery);
  const done = (valid: unknown) => {
    accept(delivery, valid);
    return next(envelope);
  };
  if (data instanceof Promise) return data.then(done);
  return done(data);
}

/** The data checked with the registration's schema, upcast first when it was stored with an older version. */
function checkedData({ envelope, registration }: Delivery): unknown {
  if (registration.upcast && Number(envelope.dataversion) !== registration.definition.version) return upcastData(registration, envelope.data);
  return validateData(registration.definition, envelope.data, 'handle');
}

/**
 * Checks data of an older version with that version's schema, upcasts it step by step, and
 * checks the result with the handler's version's schema. A failing upcast fails the attempt.
 */
function upcastData(registration: Registration, stored: unknown): unknown {
  const { source, steps } = registration.upcast!;
  const chain = (data: unknown): unknown => {
    let at = data;
    for (const step of steps) at = step.upcast!(at);
    return validateData(registration.definition, at, `handle upcast v${source.version} data of`);
  };
  const old = validateData(source, stored, `handle v${source.version} data of`);
  return old instanceof Promise ? old.then(chain) : chain(old);
}

function run(event: Envelope, delivery: Delivery, tx: Tx<unknown> | undefined, group: string, attempt: number, logger: Logger, publisher: Publisher, span: AttemptSpan | undefined): unknown {
  const { registration } = delivery;
  const ctx = new Context(tx, event, group, attempt, logger, publisher);
  if (span) ctx.span = span;
  let result: unknown;
  try {
    const handler = registration.handler as Handler<never, unknown> & EffectHandler<never, unknown>;
    result = tx ? scopeStorage.run(ctx, () => handler(event as never, ctx)) : handler(event as never, ctx);
  } catch (err) {
    ctx.closed = true;
    throw err;
  }
  if (!(result instanceof Promise)) {
    ctx.closed = true;
    return result;
  }
  let done!: () => void;
  const timeout = new Promise<never>((_, reject) => {
    done = deadlines.add(registration.timeoutMs, () => {
      const err = new HandlerTimeoutError(group, event.type, registration.timeoutMs);
      (ctx.controller ??= new AbortController()).abort(err);
      reject(err);
    });
  });
  return Promise.race([result, timeout]).then(
    (value: unknown) => {
      done();
      ctx.closed = true;
      return value;
    },
    (err: unknown) => {
      done();
      ctx.closed = true;
      throw err;
    },
  );
}
