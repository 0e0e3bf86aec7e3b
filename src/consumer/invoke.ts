import type { Tx } from '../core/engine.js';
import type { Envelope } from '../core/envelope.js';
import { validateData } from '../core/event.js';
import { HandlerTimeoutError, NonRetryableError, NotRunningError } from '../core/errors.js';
import type { Logger } from '../observe/logger.js';
import { bindLogger } from '../observe/logger.js';
import { scopeStorage, type Scope } from '../publish/scope.js';
import type { HandlerContext, Registration } from './handler.js';
import type { Publisher } from './publisher.js';

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

/**
 * Runs one handler in `tx`: validates the data against the registered schema, binds the logger,
 * aborts the handler's signal after its timeout and fails the attempt then. After the attempt the
 * context is closed: `ctx.db` and `ctx.publish` throw.
 */
export async function invoke(
  delivery: Delivery,
  tx: Tx<unknown>,
  group: string,
  attempt: number,
  logger: Logger,
  publisher: Publisher,
): Promise<void> {
  const { envelope, registration } = delivery;
  const data = await validateData(registration.definition, envelope.data, `handle`);
  const event = { ...envelope, data } as Envelope;
  const controller = new AbortController();
  const scope: Scope = {
    tx,
    cause: { id: envelope.id, correlationid: envelope.correlationid, ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}) },
    closed: false,
  };
  const log = bindLogger(logger, { eventId: envelope.id, eventType: envelope.type, correlationId: envelope.correlationid, group });
  const ctx: HandlerContext<unknown> = {
    get db() {
      if (scope.closed) throw new NotRunningError(`ctx.db of ${envelope.type} in group ${group} after its attempt ended`);
      return tx.db;
    },
    group,
    attempt,
    signal: controller.signal,
    log,
    publish: (definition, input, options) => publisher(scope, definition, input, options) as never,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new HandlerTimeoutError(group, envelope.type, registration.timeoutMs);
      controller.abort(err);
      reject(err);
    }, registration.timeoutMs);
  });
  try {
    await Promise.race([scopeStorage.run(scope, async () => registration.handler(event as never, ctx)), timeout]);
  } finally {
    clearTimeout(timer);
    scope.closed = true;
  }
}
