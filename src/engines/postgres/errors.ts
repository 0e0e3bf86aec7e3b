import { FactlineError, StoreError } from '../../core/errors.js';

/** SQLSTATE classes and driver errors that mean the connection or the server went away. */
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const LOST_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** True when `err` says the connection to PostgreSQL broke (not that a statement was refused). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof FactlineError) return err.code === 'CONNECTION_LOST' || err.code === 'CONNECTION_FAILED';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (LOST_SQLSTATES.has(code) || LOST_ERRNOS.has(code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed|not queryable/i.test(err.message);
}

/** Where the engine connects, for messages (never the password). */
export function describeTarget(connectionString: string | undefined): string {
  if (!connectionString) return 'the PostgreSQL server of the given pool';
  try {
    const url = new URL(connectionString);
    return `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname ? ` (database ${url.pathname.slice(1) || '?'})` : ''}`;
  } catch {
    return 'PostgreSQL (unparsable connection string)';
  }
}

/** The server could not be reached when opening: says what to check. */
export function connectionFailed(target: string, err: unknown): FactlineError {
  const detail = err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
  return new FactlineError(
    'CONNECTION_FAILED',
    `cannot connect to ${target}: ${detail}; check that the server is running and reachable, and the host, port, user, password and database of the connection string`,
    { cause: err },
  );
}

/**
 * The connection to PostgreSQL broke during an operation. `mayHaveCommitted` is true when the
 * failure came after COMMIT (or a single-statement write) reached the server: it may or may not
 * have committed. Otherwise the work was rolled back and can be retried.
 */
export class ConnectionLostError extends FactlineError {
  readonly mayHaveCommitted: boolean;
  constructor(what: string, err: unknown, mayHaveCommitted: boolean) {
    const detail = err instanceof Error ? err.message : String(err);
    const outcome = mayHaveCommitted
      ? 'it broke after the write reached the server, so it may or may not have committed; publish again with the same event ids if needed (consumers handle an id once)'
      : 'nothing was committed; try again';
    super('CONNECTION_LOST', `${what}: lost the connection to PostgreSQL (${detail}); ${outcome}`, { cause: err });
    this.name = 'ConnectionLostError';
    this.mayHaveCommitted = mayHaveCommitted;
  }
}

/**
 * The error of one of the engine's own statements, as a FactlineError: FactlineErrors and
 * connection errors (see isConnectionError) are returned unchanged, anything else becomes a
 * StoreError whose `cause` is the driver's error: STORE_FULL (SQLSTATE 53100, disk full),
 * STORE_READ_ONLY (25006, a read-only transaction: a standby, or a read-only role or database),
 * STORE_ERROR otherwise. Never apply it to errors of user code.
 */
export function toStoreError(what: string, err: unknown): unknown {
  if (err instanceof FactlineError || isConnectionError(err)) return err;
  const sqlstate = (err as { code?: unknown } | undefined)?.code;
  const state = typeof sqlstate === 'string' ? `SQLSTATE ${sqlstate}: ` : '';
  const detail = `${state}${err instanceof Error ? err.message : String(err)}`;
  if (sqlstate === '53100') {
    return new StoreError('STORE_FULL', `${what}: the PostgreSQL server is out of disk space (${detail}); nothing of it was stored; free space on the server's data disk, then try again`, { cause: err });
  }
  if (sqlstate === '25006') {
    return new StoreError('STORE_READ_ONLY', `${what}: PostgreSQL refuses writes (${detail}); nothing of it was stored; connect to the primary server, not a standby, with a role and database that may write`, { cause: err });
  }
  return new StoreError('STORE_ERROR', `${what}: PostgreSQL refused a statement of Factline (${detail}); nothing of it was stored; see the cause and the server log (the log's tables are Factline's: change them only through Factline)`, { cause: err });
}

/** `promise`, with its rejection passed through toStoreError. */
export async function storeCall<T>(what: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw toStoreError(what, err);
  }
}
