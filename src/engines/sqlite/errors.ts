import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FactlineError, StoreError, StoreMismatchError } from '../../core/errors.js';

/** The error code of a driver or file system error (`SQLITE_FULL`, `EROFS`...), if it has one. */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const READ_ONLY_ERRNO = new Set(['EROFS', 'EACCES', 'EPERM']);

function writeDenied(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT') return 'ENOENT';
    if (code && READ_ONLY_ERRNO.has(code)) return code === 'EROFS' ? `${path} is on a read-only file system` : `${path} is not writable by this user (${code})`;
    return undefined; // not a refusal: let SQLite report it
  }
}

/**
 * Why this process cannot write `file` in WAL mode, from the file system's own answer; undefined
 * when it can. It needs to write the file (or create it) and its -wal and -shm files, so the
 * directory too unless both exist already and are writable. In-memory databases are writable.
 */
export function unwritable(file: string): string | undefined {
  if (file === '' || file === ':memory:') return undefined;
  const own = writeDenied(file);
  if (own && own !== 'ENOENT') return own;
  const dir = writeDenied(dirname(file));
  if (!dir || dir === 'ENOENT') return undefined;
  const sidecars = own === undefined && [`${file}-wal`, `${file}-shm`].every((f) => writeDenied(f) === undefined);
  return sidecars ? undefined : dir;
}

/** STORE_READ_ONLY for `what` on `file`, saying why (`reason`) and what to do. */
export function readOnly(file: string, what: string, reason: string, cause?: unknown): StoreError {
  return new StoreError(
    'STORE_READ_ONLY',
    `${what}: ${reason}; Factline writes to ${file} and to its -wal and -shm files next to it: make the file and its directory writable (or give a writable file)`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The FactlineError for an error of the engine's own statements on `file`: FactlineErrors are
 * returned as they are; driver and file system errors become StoreError (the driver's error is
 * the cause). Other errors (bugs) are returned as they are.
 */
export function storeError(err: unknown, file: string, what: string): unknown {
  if (err instanceof FactlineError) return err;
  const code = codeOf(err);
  const isDriver = err instanceof Database.SqliteError;
  if (!isDriver && !(code && (READ_ONLY_ERRNO.has(code) || code === 'ENOSPC'))) return err;
  const message = (err as Error).message;
  if (code?.startsWith('SQLITE_FULL') || code === 'ENOSPC') {
    return new StoreError('STORE_FULL', `${what}: the disk holding ${file} is full; free space on it (or move the log to a larger disk), then retry; nothing of this call was stored`, { cause: err });
  }
  if (code === 'SQLITE_READONLY_DBMOVED') {
    return new StoreError('STORE_GONE', `${what}: ${file} was moved or deleted while it was open; restore the file, then restart the app; nothing of this call was stored`, { cause: err });
  }
  if (code?.startsWith('SQLITE_READONLY') || (code && READ_ONLY_ERRNO.has(code))) {
    return readOnly(file, what, unwritable(file) ?? `${file} refuses writes (${message})`, err);
  }
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    return new StoreError(
      'STORE_ERROR',
      `${what}: ${file} is busy: another connection held its write lock longer than busyTimeoutMs; retry, or raise busyTimeoutMs if other processes hold long transactions on it (${message})`,
      { cause: err },
    );
  }
  if (code?.startsWith('SQLITE_CANTOPEN') || code?.startsWith('SQLITE_IOERR')) {
    const reason = unwritable(file);
    if (reason) return readOnly(file, what, reason, err);
  }
  return new StoreError('STORE_ERROR', `${what} on ${file} failed: ${message} (${code ?? 'no code'}); nothing of this call was stored`, { cause: err });
}

/**
 * The FactlineError for a failure while opening `file`: a file that is not a SQLite database is a
 * StoreMismatchError; busy, read-only, full and other driver errors are StoreErrors, as in
 * `storeError`.
 */
export function openError(err: unknown, file: string): unknown {
  const code = codeOf(err);
  if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
    return new StoreMismatchError(`${file} is not a SQLite database Factline can open: ${(err as Error).message}`);
  }
  return storeError(err, file, `opening ${file}`);
}

/** Runs `fn`, an engine operation on `file`, turning its driver errors into StoreErrors. */
export function own<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw storeError(err, file, what);
  }
}
