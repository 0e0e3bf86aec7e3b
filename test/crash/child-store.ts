import type { Engine } from '../../src/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';
import { postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import type { EffectRow } from './crash-event.js';

/**
 * What a child process of the crash tests opens: the engine named by its environment, and how
 * its handler writes an effect row with the transaction's own handle.
 *
 * Environment: FACTLINE_CRASH_ENGINE (`sqlite` or `postgres`); for SQLite FACTLINE_CRASH_FILE (the
 * file); for PostgreSQL FACTLINE_CRASH_PG_URL, FACTLINE_CRASH_PG_SCHEMA (the log's schema) and
 * FACTLINE_CRASH_PG_APP_SCHEMA (the schema of the `effects` table).
 */
export interface ChildStore {
  readonly engine: Engine<unknown>;
  writeEffect(db: unknown, row: EffectRow): Promise<void>;
}

export function openChildStore(env: NodeJS.ProcessEnv = process.env): ChildStore {
  const kind = env.FACTLINE_CRASH_ENGINE;
  if (kind === 'sqlite') {
    const file = required(env, 'FACTLINE_CRASH_FILE');
    return {
      engine: sqliteEngine({ file }) as Engine<unknown>,
      async writeEffect(db, row) {
        (db as SqliteDb)
          .prepare('insert into effects (event_id, key, n, member) values (?, ?, ?, ?)')
          .run(row.eventId, row.key, row.n, row.member);
      },
    };
  }
  if (kind === 'postgres') {
    const appSchema = required(env, 'FACTLINE_CRASH_PG_APP_SCHEMA');
    return {
      // A small pool: several of these processes share the server's connections.
      engine: postgresEngine({ connectionString: required(env, 'FACTLINE_CRASH_PG_URL'), schema: required(env, 'FACTLINE_CRASH_PG_SCHEMA'), poolSize: 4 }) as Engine<unknown>,
      async writeEffect(db, row) {
        await (db as PgTx).query(`insert into "${appSchema}".effects (event_id, key, n, member) values ($1, $2, $3, $4)`, [row.eventId, row.key, row.n, row.member]);
      },
    };
  }
  throw new Error(`FACTLINE_CRASH_ENGINE must be sqlite or postgres, got ${String(kind)}`);
}

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`crash child: environment variable ${name} is required`);
  return value;
}
