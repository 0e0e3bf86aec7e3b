import { FactlineError, StoreError } from '../../core/errors.js';
import { ConnectionLostError, isConnectionError, storeCall, toStoreError } from './errors.js';
import type { PgPool, PgPoolClient, PgTx } from './types.js';

/**
 * How `fn` runs: `read` (no transaction, changes nothing), `write` (one statement, its own
 * transaction), `transaction` (BEGIN, fn, COMMIT, or ROLLBACK when fn throws).
 */
export type RunMode = 'read' | 'write' | 'transaction';

/**
 * Runs `fn` on one pooled connection in the given mode. A connection that broke is destroyed,
 * never returned to the pool, and the error becomes a ConnectionLostError (code CONNECTION_LOST)
 * that says whether the write or COMMIT may have happened. A COMMIT that the server answers with
 * ROLLBACK (the transaction had failed and user code went on) throws TRANSACTION_ABORTED. Other
 * failures of connecting, BEGIN or COMMIT become StoreErrors; errors thrown by `fn` pass as they are.
 */
export async function withClient<T>(pool: PgPool, what: string, mode: RunMode, fn: (c: PgPoolClient) => Promise<T>): Promise<T> {
  const tx = mode === 'transaction';
  let c: PgPoolClient;
  try {
    c = serialized(await pool.connect(), what);
  } catch (err) {
    throw isConnectionError(err) ? new ConnectionLostError(what, err, false) : toStoreError(`${what} (connecting)`, err);
  }
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  c.on('error', onError);
  let committing = mode === 'write';
  try {
    if (tx) await storeCall(`${what} (BEGIN)`, c.query('begin'));
    const result = await fn(c);
    if (tx) {
      if (c.getTransactionStatus?.() === 'I') {
        throw new FactlineError('TRANSACTION_ENDED', `${what}: the transaction was ended by user code (COMMIT or ROLLBACK on tx.db) before Factline could commit it; let Factline end it`);
      }
      committing = true;
      const done = await storeCall(`${what} (COMMIT)`, c.query('commit'));
      if (done.command === 'ROLLBACK') {
        throw new FactlineError('TRANSACTION_ABORTED', `${what}: the transaction had failed (a statement in it raised an error that was caught), so PostgreSQL rolled it back; nothing was stored`);
      }
    }
    return result;
  } catch (err) {
    if (tx && !committing) {
      await c.query('rollback').catch((e: unknown) => {
        broken ??= e instanceof Error ? e : new Error(String(e));
      });
    }
    if (isConnectionError(err)) {
      broken ??= err as Error;
      throw new ConnectionLostError(what, err, committing);
    }
    // The connection broke: whatever the statement said, that is the failure to report.
    if (broken && (!(err instanceof FactlineError) || err instanceof StoreError)) {
      throw new ConnectionLostError(what, err instanceof StoreError ? err.cause : err, committing);
    }
    throw err;
  } finally {
    if (broken) {
      c.release(broken);
    } else {
      c.removeListener('error', onError);
      c.release();
    }
  }
}

/** The `db` handle of a transaction: the connection's query, nothing else. */
export function txHandle(c: PgPoolClient): PgTx {
  return { query: (text, values) => c.query(text, values) as never };
}

/**
 * The client with its queries run one after another. Handlers of different keys run concurrently
 * in one consume transaction, on one connection: node-postgres queues such queries but will stop
 * doing so, so they are queued here.
 */
function serialized(c: PgPoolClient, what: string): PgPoolClient {
  let tail: Promise<unknown> = Promise.resolve();
  let released = false;
  const query = (...args: unknown[]) => {
    // A handler that ran past its timeout may still hold `db`: once the connection is back in the
    // pool (maybe in another transaction), its queries must not run there.
    if (released) return Promise.reject(ended(what));
    const next = tail.then(() => {
      if (released) throw ended(what);
      return (c.query as (...a: unknown[]) => Promise<unknown>)(...args);
    });
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    query: query as PgPoolClient['query'],
    release: (err) => {
      released = true;
      c.release(err);
    },
    getTransactionStatus: () => c.getTransactionStatus?.() ?? null,
    get processID() {
      return c.processID;
    },
    on: ((event: string, listener: (...a: never[]) => void) => (c.on as (e: string, l: unknown) => unknown)(event, listener)) as PgPoolClient['on'],
    removeListener: (event, listener) => c.removeListener(event, listener),
    removeAllListeners: (event) => c.removeAllListeners(event),
  };
}

function ended(what: string): FactlineError {
  return new FactlineError('TRANSACTION_ENDED', `a query on the db of a ${what} that has ended (its handler ran past its timeout, or kept db after returning); it was not run`);
}
