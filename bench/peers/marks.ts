/**
 * The consumer's idempotent "processed" mark, for peers that keep it outside their own
 * store: in memory (said plainly in the report), or in PostgreSQL with
 * INSERT ... ON CONFLICT DO NOTHING keyed by the event's UUID, one transaction per batch.
 */
import { ident, type Pool } from './pg.js';

export interface MarkStore {
  /** Records the ids as processed by `group`; resolves once the marks are durable (or held). */
  mark(group: number, ids: readonly string[]): Promise<void>;
  /** Drops what the store created. */
  drop(): Promise<void>;
}

export class MemoryMarks implements MarkStore {
  private readonly sets: Set<string>[];

  constructor(groups: number) {
    this.sets = Array.from({ length: groups }, () => new Set<string>());
  }

  /** Synchronous variant for handlers that mark one event at a time. */
  markNow(group: number, id: string): void {
    this.sets[group]?.add(id);
  }

  async mark(group: number, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.markNow(group, id);
  }

  async drop(): Promise<void> {
    for (const set of this.sets) set.clear();
  }
}

/** One table per group in `schema` (which the caller created): (event_id uuid primary key). */
export class PgMarks implements MarkStore {
  private readonly tables: string[];

  private constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly prefix: string,
    groups: number,
  ) {
    this.tables = Array.from({ length: groups }, (_, g) => `${ident(schema)}.${ident(`${prefix}_g${g}`)}`);
  }

  static async create(pool: Pool, schema: string, prefix: string, groups: number): Promise<PgMarks> {
    const marks = new PgMarks(pool, schema, prefix, groups);
    for (const table of marks.tables) {
      await pool.query(`CREATE TABLE ${table} (event_id uuid PRIMARY KEY)`);
    }
    return marks;
  }

  async mark(group: number, ids: readonly string[]): Promise<void> {
    const table = this.tables[group];
    if (!table) throw new Error(`no mark table for group ${group}`);
    await this.pool.query({
      name: `mark_${this.prefix}_g${group}`,
      text: `INSERT INTO ${table} (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`,
      values: [ids],
    });
  }

  async drop(): Promise<void> {
    for (const table of this.tables) await this.pool.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
