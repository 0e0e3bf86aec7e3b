import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Engine } from '../../src/index.js';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import type { EffectRow } from './crash-event.js';
import type { CrashTarget } from './crash-target.js';

/**
 * The crash suite on PostgreSQL: each test gets a fresh schema for the log and another for the
 * app's `effects` table (ordered by a bigserial: a key's next effect is inserted only after the
 * previous one committed, so the id order is the key's handling order).
 */
export function postgresTarget(url: string, freshSchema: (label: string) => string): CrashTarget {
  return {
    name: 'postgres',
    async fresh(label) {
      const dir = mkdtempSync(join(tmpdir(), `factline-crash-${label}-`));
      const schema = freshSchema(`crash_${label}`);
      const appSchema = `${schema}_app`;
      // A pool (of one) reconnects by itself if the server restarts during a test.
      const client = new pg.Pool({ connectionString: url, max: 1 });
      client.on('error', () => undefined);
      await client.query(`create schema "${appSchema}"`);
      // No unique constraint on event_id: an event applied twice shows as two rows.
      await client.query(`create table "${appSchema}".effects (id bigserial primary key, event_id text not null, key text not null, n int not null, member text not null)`);
      return {
        env: { FACTLINE_CRASH_ENGINE: 'postgres', FACTLINE_CRASH_PG_URL: url, FACTLINE_CRASH_PG_SCHEMA: schema, FACTLINE_CRASH_PG_APP_SCHEMA: appSchema },
        dir,
        engine: postgresEngine({ connectionString: url, schema, poolSize: 4 }) as Engine<unknown>,
        async effects() {
          const res = await client.query<EffectRow>(`select event_id as "eventId", key, n, member from "${appSchema}".effects order by id`);
          return res.rows;
        },
        async close() {
          await client.end();
        },
      };
    },
  };
}
