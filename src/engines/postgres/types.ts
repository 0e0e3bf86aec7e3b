/**
 * Structural types of the PostgreSQL driver surface Factline uses. They match node-postgres
 * (`pg.Pool`, `pg.PoolClient`) without importing it, so a compatible pool can be passed in.
 */

/** A result as node-postgres returns it. */
export interface PgResult<R = Record<string, unknown>> {
  readonly rows: R[];
  readonly rowCount: number | null;
  /** The command tag, e.g. `COMMIT`, or `ROLLBACK` when COMMIT ended an aborted transaction. */
  readonly command?: string;
}

/** A query with a name is prepared once per connection and reused (node-postgres semantics). */
export interface PgQueryConfig {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
}

/** Anything that runs SQL: a pool, a client, a client inside BEGIN. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgResult<unknown>>;
}

/** A connection checked out of a pool. `release(err)` destroys it instead of returning it. */
export interface PgPoolClient {
  query(config: PgQueryConfig): Promise<PgResult<unknown>>;
  query(text: string, values?: unknown[]): Promise<PgResult<unknown>>;
  release(err?: Error | boolean): void;
  /** node-postgres 8.12+: `I` idle, `T` in a transaction, `E` in a failed transaction. */
  getTransactionStatus?(): string | null;
  /** node-postgres: the server process of this connection, once connected. */
  readonly processID?: number | null;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'notification', listener: (message: { channel: string; payload?: string; processId?: number }) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** A pool of connections, e.g. `new pg.Pool(...)`. */
export interface PgPool {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * The handle handlers and transactions get as `db`: the connection of the Factline transaction,
 * so that `await db.query(...)` commits or rolls back with the events and the inbox rows.
 * Do not run BEGIN, COMMIT or ROLLBACK on it; let Factline end the transaction.
 */
export interface PgTx {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgResult<R>>;
}
