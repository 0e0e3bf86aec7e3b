import type Database from 'better-sqlite3';
import { TransactionEndedError } from '../../core/errors.js';

/**
 * The `db` a transaction hands to user code: the writer connection, whose methods (`prepare`,
 * `exec`, `pragma`, ...) refuse to run once that transaction has ended, with TransactionEndedError
 * (`TRANSACTION_ENDED`). This keeps a handler that outlived its attempt (it ignored its abort
 * signal and kept a reference to `ctx.db`) from writing into whatever transaction the connection
 * runs next. `kind` names the transaction in that error: `consume` (a consumer group's) or
 * `transaction` (an `app.transaction()`). Statements prepared earlier are the connection's own and
 * stay usable, so caching prepared statements works; a statement used after its transaction ended
 * is not caught.
 */
export function guardedDb(db: Database.Database, state: { live: boolean }, kind = 'transaction'): Database.Database {
  const whose = kind === 'consume'
    ? "a consumer group's transaction: a handler kept ctx.db after its attempt ended (it returned, threw or timed out)"
    : 'an app.transaction(): its callback kept tx.db after it settled';
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!state.live) {
          throw new TransactionEndedError(`db.${String(prop)}() was called on the db of ${whose}; that transaction is over and the call did not run: await every query before the handler or callback returns`);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
