import type Database from 'better-sqlite3';
import { NotRunningError } from '../../core/errors.js';

/**
 * The `db` a transaction hands to user code: the writer connection, whose methods (`prepare`,
 * `exec`, `pragma`, ...) refuse to run once that transaction has ended. This keeps a handler that
 * outlived its attempt (it ignored its abort signal and kept a reference to `ctx.db`) from writing
 * into whatever transaction the connection runs next. Statements prepared earlier are the
 * connection's own and stay usable, so caching prepared statements works; a statement used after
 * its transaction ended is not caught.
 */
export function guardedDb(db: Database.Database, state: { live: boolean }): Database.Database {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!state.live) {
          throw new NotRunningError(`db.${String(prop)} after its transaction ended (a handler kept ctx.db past its attempt)`);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
