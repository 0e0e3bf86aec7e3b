/**
 * The shop's own tables, reached through the transaction handle Factline gives (`tx.db`,
 * `ctx.db`): a better-sqlite3 connection on SQLite, a `query()` client on PostgreSQL. Statements
 * are written with `?` placeholders and the portable subset of SQL both understand.
 */
export interface ShopSql {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  all<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

interface SqliteLike {
  prepare(sql: string): { run(...p: unknown[]): { changes: number }; all(...p: unknown[]): unknown[] };
}
interface PgLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

const toPg = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/**
 * Handlers pass a getter (`() => ctx.db`) rather than the handle: every statement then goes
 * through `ctx.db`, which refuses to run once the attempt has ended (a handler that ran past its
 * timeout cannot write outside its transaction).
 */
export function shopSql(handle: unknown | (() => unknown)): ShopSql {
  const db = typeof handle === 'function' ? (handle as () => unknown) : () => handle;
  const first = db();
  if (first && typeof (first as SqliteLike).prepare === 'function') {
    const s = () => db() as SqliteLike;
    return {
      kind: 'sqlite',
      run: async (sql, p = []) => s().prepare(sql).run(...p).changes,
      all: async <R>(sql: string, p: readonly unknown[] = []) => s().prepare(sql).all(...p) as R[],
    };
  }
  if (first && typeof (first as PgLike).query === 'function') {
    const q = () => db() as PgLike;
    return {
      kind: 'postgres',
      run: async (sql, p = []) => (await q().query(toPg(sql), [...p])).rowCount ?? 0,
      all: async <R>(sql: string, p: readonly unknown[] = []) => (await q().query(toPg(sql), [...p])).rows as R[],
    };
  }
  throw new Error('the shop needs a SQLite or PostgreSQL transaction handle');
}

/** The shop's tables: orders (orders service), invoices (billing), stock and reservations (inventory), emails (email), counters (analytics), fraud_checks (fraud). */
export const SHOP_TABLES = [
  'create table if not exists orders (id text primary key, customer_id text not null, country text not null, total integer not null, placed_at text not null)',
  'create table if not exists invoices (id text primary key, order_id text not null unique, amount integer not null)',
  'create table if not exists stock (sku text primary key, available integer not null)',
  'create table if not exists reservations (order_id text primary key, status text not null)',
  'create table if not exists emails (event_id text primary key, order_id text not null, template text not null, message_id text not null)',
  'create table if not exists counters (name text primary key, value integer not null)',
  'create table if not exists fraud_checks (order_id text primary key, score integer not null, verdict text not null)',
];

export async function createShopTables(sql: ShopSql, stock: Readonly<Record<string, number>>): Promise<void> {
  for (const ddl of SHOP_TABLES) await sql.run(ddl);
  for (const [sku, available] of Object.entries(stock)) {
    await sql.run('insert into stock (sku, available) values (?, ?) on conflict (sku) do nothing', [sku, available]);
  }
}
