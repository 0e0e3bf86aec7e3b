import { describe, expect, it } from 'vitest';
import { FactlineError } from '../../src/index.js';
import { ConnectionLostError, fromDrizzle, fromKysely, migrate, postgresEngine } from '../../src/engines/postgres/index.js';
import { describeTarget, isConnectionError } from '../../src/engines/postgres/errors.js';
import { withSequence } from '../../src/engines/postgres/rows.js';

describe('PostgreSQL engine checks that need no server', () => {
  it('refuses missing connection settings and unsafe schema names with typed errors', async () => {
    expect(() => postgresEngine({})).toThrow(FactlineError);
    expect(() => postgresEngine({ connectionString: 'postgres://x@127.0.0.1/db', schema: 'Mixed' })).toThrow(/lower-case identifier/);
    expect(() => postgresEngine({ connectionString: 'postgres://x@127.0.0.1/db', schema: 'a'.repeat(49) })).toThrow(/at most 48/);
    await expect(migrate({})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('tells broken connections from refused statements', () => {
    expect(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionError('not an error')).toBe(false);
  });

  it('says whether a broken write may have committed', () => {
    expect(new ConnectionLostError('append', new Error('x'), true)).toMatchObject({ code: 'CONNECTION_LOST', mayHaveCommitted: true });
    expect(new ConnectionLostError('append', new Error('x'), false).message).toMatch(/nothing was committed; try again/);
  });

  it('names the server it tried without its password', () => {
    const text = describeTarget('postgres://app:s3cret@db.internal:6543/shop');
    expect(text).toBe('PostgreSQL at db.internal:6543 (database shop)');
    expect(text).not.toContain('s3cret');
  });

  it('adds the sequence to a stored body as the other engines store it', () => {
    const body = withSequence(JSON.stringify({ id: 'e1', data: { a: 1 } }), 42);
    expect(JSON.parse(body)).toEqual({ id: 'e1', data: { a: 1 }, sequence: '0000000000000042' });
  });

  it('passes SQL and parameters unchanged through the Kysely and Drizzle adapters', async () => {
    const seen: unknown[] = [];
    const kysely = fromKysely({
      async executeQuery(q) {
        seen.push([q.sql, q.parameters, q.query.kind]);
        return { rows: [{ one: 1 }] };
      },
    });
    expect((await kysely.executeSql('select $1::int as one', [1])).rows).toEqual([{ one: 1 }]);
    const drizzle = fromDrizzle({
      async execute(q: never) {
        const query = (q as { getSQL(): { toQuery(): unknown } }).getSQL().toQuery();
        seen.push(query);
        return { rows: [{ two: 2 }] };
      },
    });
    expect((await drizzle.executeSql('select $1::int as two', [2])).rows).toEqual([{ two: 2 }]);
    expect(seen).toEqual([['select $1::int as one', [1], 'RawNode'], { sql: 'select $1::int as two', params: [2] }]);
  });
});
