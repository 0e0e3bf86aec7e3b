import type { LogRecord } from '../../core/engine.js';

/** What one read query answered: the records, and for each the asking groups that had handled it. */
export interface ReadAnswer {
  readonly records: LogRecord[];
  /** Parallel to `records`: the groups (of those asked about) with an inbox row for it. */
  readonly handledBy: readonly (readonly string[])[];
}

/**
 * Runs one read query. `sending` is called just before the query goes to the server and returns
 * the groups whose inbox rows the query must look up (none: a plain read).
 */
export type ReadQuery = (partition: number, after: number, limit: number, sending: () => readonly string[]) => Promise<ReadAnswer>;

interface OpenRead {
  readonly limit: number;
  readonly groups: Set<string>;
  answer?: Promise<ReadAnswer>;
}

/**
 * Reads of the same partition after the same sequence share one query while it waits for a
 * connection (the consumer groups of one process, woken by the same append, read the same new
 * events). A read joins only a query not yet sent, with a limit at least its own: the answer then
 * holds every event committed before either read was asked for, which is all a read promises,
 * and the inbox rows of every joined group as they were when it was answered. Records are shared
 * between the readers and must not be mutated (LogRecord is read-only).
 */
export class SharedReads {
  private readonly open = new Map<string, OpenRead>();

  constructor(private readonly query: ReadQuery) {}

  async read(partition: number, after: number, limit: number): Promise<LogRecord[]> {
    return (await this.ask(partition, after, limit)).records.slice(0, limit);
  }

  /** `read`, with the identities (`source \0 id`) among the records that `group` had handled. */
  async readHandled(group: string, partition: number, after: number, limit: number): Promise<{ records: LogRecord[]; handled: Set<string> }> {
    const answer = await this.ask(partition, after, limit, group);
    const records = answer.records.slice(0, limit);
    const handled = new Set<string>();
    records.forEach((r, i) => {
      if (answer.handledBy[i]?.includes(group)) handled.add(`${r.source}\u0000${r.id}`);
    });
    return { records, handled };
  }

  private ask(partition: number, after: number, limit: number, group?: string): Promise<ReadAnswer> {
    const key = `${partition}:${after}`;
    const joined = this.open.get(key);
    if (joined?.answer && joined.limit >= limit) {
      if (group !== undefined) joined.groups.add(group);
      return joined.answer;
    }
    const entry: OpenRead = { limit, groups: new Set(group === undefined ? [] : [group]) };
    const close = () => {
      if (this.open.get(key) === entry) this.open.delete(key);
    };
    // The query is sent after a connection is taken, never synchronously: the entry is set by then.
    const answer = this.query(partition, after, limit, () => {
      close();
      return [...entry.groups];
    });
    entry.answer = answer;
    this.open.set(key, entry);
    // A query that failed before it was sent (no connection) is not joined afterwards.
    answer.then(close, close);
    return answer;
  }
}
