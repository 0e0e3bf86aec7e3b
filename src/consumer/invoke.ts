import type { Tx } from '../core/engine.js';
import type { Envelope } from '../core/envelope.js';
import { validateData, type DataOf, type EventDefinition, type InputOf } from '../core/event.js';
import type { Cause, PublishOptions } from '../publish/build-envelope.js';
import { HandlerTimeoutError, NonRetryableError, NotRunningError } from '../core/errors.js';
import type { Logger } from '../observe/logger.js';
import { bindLogger } from '../observe/logger.js';
import { scopeStorage, type Scope } from '../publish/scope.js';
import type { HandlerContext, Registration } from './handler.js';
import type { Publisher } from './publisher.js';
import { Deadlines } from './deadlines.js';

/** An event parsed for a group: its envelope and the handler registered for its type and version. */
export interface Delivery {
  readonly envelope: Envelope;
  readonly registration: Registration;
}

/**
 * Parses a stored body and finds its handler. Throws NonRetryableError for a body that is not an
 * envelope or a version the group has no handler for.
 */
export function prepareDelivery(body: string, type: string, versions: ReadonlyMap<number, Registration>): Delivery {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(body) as Envelope;
  } catch (err) {
    throw new NonRetryableError(`malformed event: its stored body is not JSON (${(err as Error).message})`);
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.id !== 'string' || envelope.type !== type) {
    throw new NonRetryableError('malformed event: its stored body is not a Factline envelope');
  }
  const registration = versions.get(Number(envelope.dataversion));
  if (!registration) {
    throw new NonRetryableError(`unknown version: ${type} version ${String(envelope.dataversion)} has no handler in this group (it handles ${[...versions.keys()].join(', ')})`);
  }
  return { envelope, registration };
}

const deadlines = new Deadlines();

/**
 * The handler context, which is also the handler's publish scope: one object per delivery, and
 * nothing else made unless the handler asks for it (signal, logger, causation).
 */
class Context implements HandlerContext<unknown>, Scope {
  closed = false;
  controller: AbortController | undefined;
  private logger: Logger | undefined;

  constructor(
    readonly tx: Tx<unknown>,
    private readonly envelope: Envelope,
    readonly group: string,
    readonly attempt: number,
    private readonly baseLogger: Logger,
    private readonly publisher: Publisher,
  ) {}

  get db(): unknown {
    if (this.closed) throw new NotRunningError(`ctx.db of ${this.envelope.type} in group ${this.group} after its attempt ended`);
    return this.tx.db;
  }

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  get log(): Logger {
    const e = this.envelope;
    return (this.logger ??= bindLogger(this.baseLogger, { eventId: e.id, eventType: e.type, correlationId: e.correlationid, group: this.group }));
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
): void | Promise<void> {
  const { envelope, registration } = delivery;
  const data = validateData(registration.definition, envelope.data, 'handle');
  // The envelope was parsed for this delivery alone: it takes the schema's output in place.
  const mutable = envelope as { data: unknown };
  if (data instanceof Promise) {
    return data.then((valid) => {
      mutable.data = valid;
      return run(envelope, delivery, tx, group, attempt, logger, publisher);
    });
  }
  mutable.data = data;
  return run(envelope, delivery, tx, group, attempt, logger, publisher);
}

function run(event: Envelope, delivery: Delivery, tx: Tx<unknown>, group: string, attempt: number, logger: Logger, publisher: Publisher): void | Promise<void> {
  const { registration } = delivery;
  const ctx = new Context(tx, event, group, attempt, logger, publisher);
  let result: unknown;
  try {
    result = scopeStorage.run(ctx, () => registration.handler(event as never, ctx));
  } catch (err) {
    ctx.closed = true;
    throw err;
  }
  if (!(result instanceof Promise)) {
    ctx.closed = true;
    return;
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
    () => {
      done();
      ctx.closed = true;
    },
    (err: unknown) => {
      done();
      ctx.closed = true;
      throw err;
    },
  );
}
