import { accessSync, closeSync, constants, openSync, readSync } from 'node:fs';
import { StoreError } from '../../core/errors.js';
import type { FileIdentity } from './file-identity.js';

const HEADER = 'SQLite format 3\u0000';

/**
 * The health check of a SQLite log: the file at the path is still the one opened, this process
 * may read and write it, and it still starts with the SQLite header. Open connections keep their
 * file descriptor and cached pages, so a read through them alone would not notice.
 */
export function checkFile(path: string, file: string, identity: FileIdentity): void {
  identity.check(file, 'health check');
  if (path === '' || path === ':memory:') return;
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new StoreError('STORE_ERROR', `health check: the SQLite log ${file} cannot be read and written by this process (${(err as Error).message})`, { cause: err });
  }
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== HEADER) throw new StoreError('STORE_ERROR', `health check: ${file} is no longer a SQLite database (its header is gone)`);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError('STORE_ERROR', `health check: the SQLite log ${file} cannot be read (${(err as Error).message})`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
