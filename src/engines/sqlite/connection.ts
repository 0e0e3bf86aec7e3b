import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { FactlineError } from '../../core/errors.js';
import { openError, readOnly, unwritable } from './errors.js';
import { readLog } from './schema.js';

export interface ConnectionOptions {
  readonly synchronous?: 'full' | 'normal';
  readonly busyTimeoutMs?: number;
}

/**
 * Opens a connection to `file` for the engine, in WAL mode. Before anything is written (the switch
 * to WAL included) it refuses, with StoreError `STORE_READ_ONLY`, a file or directory this process
 * cannot write, and, with StoreMismatchError, a file that is not SQLite or not a Factline log.
 * Busy and other driver errors are StoreErrors. A file whose directory does not exist is refused
 * with INVALID_ARGUMENT naming both. The connection is closed when it throws.
 */
export function openConnection(file: string, options: ConnectionOptions): Database.Database {
  const dir = dirname(resolve(file));
  if (!existsSync(dir)) {
    throw new FactlineError('INVALID_ARGUMENT', `cannot open the SQLite log ${file}: its directory ${dir} does not exist; create the directory first (Factline creates the file, not its directory)`);
  }
  const denied = unwritable(file);
  if (denied) throw readOnly(file, `opening ${file}`, denied);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw openError(err, file);
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    readLog(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('cache_size = -16384'); // 16 MiB of pages per connection
    db.pragma('temp_store = MEMORY');
    return db;
  } catch (err) {
    db.close();
    throw openError(err, file);
  }
}
