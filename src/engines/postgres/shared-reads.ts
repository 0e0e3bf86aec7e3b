import type { LogRecord } from '../../core/engine.js';

/** Runs one read; `sending` is called just before its query goes to the server. */
export type ReadQuery = (partition: number, after: number, limit: number, sending: () => void) => Promise<LogRecord[]>;

interface OpenRead {
  readonly limit: number;
  readonly result: Promise<LogRecord[]>;
}

/**
 * Reads of the same partition after the same sequence share one query while it waits for a
 * connection (the consumer groups of one process, woken by the same append, read the same new
 * events). A read joins only a query not yet sent, with a limit at least its own: the answer then
 * holds every event committed before either read was asked for, which is all a read promises.
 * Records are shared between the readers and must not be mutated (LogRecord is read-only).
 */
export class SharedReads {
  private readonly open = new Map<string, OpenRead>();

  constructor(private readonly query: ReadQuery) {}

  read(partition: number, after: number, limit: number): Promise<LogRecord[]> {
    const key = `${partition}:${after}`;
    const joined = this.open.get(key);
    if (joined && joined.limit >= limit) {
      return joined.limit === limit ? joined.result.then((rows) => rows.slice()) : joined.result.then((rows) => rows.slice(0, limit));
    }
    // The query is sent after a connection is taken, never synchronously: the entry is set by then.
    const entry: { limit: number; result?: Promise<LogRecord[]> } = { limit };
    const sending = () => {
      if (this.open.get(key) === entry) this.open.delete(key);
    };
    const result = this.query(partition, after, limit, sending);
    entry.result = result;
    this.open.set(key, entry as OpenRead);
    // A query that failed before it was sent (no connection) is not joined afterwards.
    result.then(sending, sending);
    return result;
  }
}
