import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { FactlineError, StoreMismatchError } from '../core/errors.js';
import { logFrom, storedPartitions } from '../engines/sqlite/schema.js';
import { PeekError, peekTable } from './sqlite-peek.js';

const HEADER = 'SQLite format 3\u0000';

function header(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function notALog(file: string, why: string): StoreMismatchError {
  return new StoreMismatchError(`${file} is not a Factline log: ${why}`);
}

/**
 * Reads the partition count of an existing SQLite Factline log without writing anything to the
 * file or next to it. Throws StoreMismatchError when the file is missing, is not SQLite, or is not
 * a Factline log (factline_meta with format factline-log): the CLI never creates a log, and opens
 * a file for writing only once this returned.
 *
 * A rollback-journal file is read through a read-only connection (it creates no file). A WAL-mode
 * file whose -wal or -shm file is missing is read with sqlite-peek instead: a SQLite connection,
 * even a read-only one, would create both; with the -wal file present (the log is in use) the
 * read-only connection creates nothing.
 */
export function sqlitePartitions(file: string): number {
  if (!existsSync(file)) throw new StoreMismatchError(`${file} does not exist; give the path of an existing Factline SQLite log`);
  if (!statSync(file).isFile()) throw new StoreMismatchError(`${file} is not a file; give the path of a Factline SQLite log`);
  const head = header(file);
  if (head.length === 0) throw notALog(file, 'the file is empty');
  if (head.length < 100 || head.toString('latin1', 0, 16) !== HEADER) throw notALog(file, 'file is not a database');
  const walMode = head[18] === 2 || head[19] === 2;
  if (walMode && !(existsSync(`${file}-wal`) && existsSync(`${file}-shm`))) return peekPartitions(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return storedPartitions(db, file);
  } catch (err) {
    if (err instanceof FactlineError) throw err;
    throw notALog(file, (err as Error).message);
  } finally {
    db?.close();
  }
}

function peekPartitions(file: string): number {
  try {
    const { tables, rows } = peekTable(file, 'factline_meta');
    const meta = () => new Map((rows ?? []).map((r) => [String(r[0]), String(r[1])]));
    const log = logFrom(file, tables, meta);
    if (!log) throw notALog(file, tables.includes('factline_meta') ? 'its factline_meta table is empty' : 'it has no factline_meta table (a SQLite database of another application?)');
    return log.partitions;
  } catch (err) {
    if (err instanceof FactlineError) throw err;
    if (err instanceof PeekError) throw notALog(file, `it cannot be read as a SQLite database (${err.message})`);
    throw err;
  }
}
