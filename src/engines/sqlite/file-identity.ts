import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreError } from '../../core/errors.js';

/**
 * Which file an engine opened: its device and inode, taken when it was opened. `check` compares
 * them with the file now at the same path (one stat), and throws StoreError `STORE_GONE` when the
 * file was deleted or replaced meanwhile: SQLite would go on writing into the unlinked file, and
 * every write would be lost when the app stops. In-memory databases are never gone.
 */
export class FileIdentity {
  private constructor(
    private readonly path: string | undefined,
    private readonly dev: number,
    private readonly ino: number,
  ) {}

  /** The identity of `file` as it is now (call once the file exists). */
  static of(file: string): FileIdentity {
    if (file === '' || file === ':memory:') return new FileIdentity(undefined, 0, 0);
    const path = resolve(file);
    const st = statSync(path);
    return new FileIdentity(path, st.dev, st.ino);
  }

  /** Throws STORE_GONE when the file at the path is no longer the one opened. */
  check(file: string, what: string): void {
    if (this.path === undefined) return;
    let st;
    try {
      st = statSync(this.path, { throwIfNoEntry: false });
    } catch {
      st = undefined; // cannot even stat it: as good as gone
    }
    if (st && st.dev === this.dev && st.ino === this.ino) return;
    const how = st ? 'replaced by another file' : 'deleted';
    throw new StoreError(
      'STORE_GONE',
      `${what}: the SQLite log ${file} was ${how} while this app had it open, so nothing more can be stored in it; ` +
        'nothing of this call was stored. Restore the file (from a backup) and restart the app, or restart the app to start a new, empty log at that path',
    );
  }
}
