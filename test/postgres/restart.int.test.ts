import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createFactline, FactlineError } from '../../src/index.js';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import { TestPlaced, eventually, memoryLogger } from '../../src/testing/index.js';
import { PG_URL, describePg, freshSchema } from './pg-test.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Restarts the local PostgreSQL cluster, so it only runs when asked: FACTLINE_TEST_PG_RESTART=1
 * (it briefly breaks every other client of that server). The server is always left running.
 */
const enabled = process.env.FACTLINE_TEST_PG_RESTART === '1';
if (!enabled) console.warn('\n!!! test/postgres/restart.int.test.ts SKIPPED: set FACTLINE_TEST_PG_RESTART=1 to restart the local PostgreSQL under load.\n');

function clusterVersion(): string {
  const versions = readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v));
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL cluster version in /etc/postgresql, found ${versions.join(', ')}`);
  return versions[0]!;
}

async function waitReady(): Promise<void> {
  const url = new URL(PG_URL);
  for (let i = 0; i < 300; i++) {
    try {
      await run('pg_isready', ['-h', url.hostname, '-p', url.port || '5432', '-q']);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('PostgreSQL did not become ready within 30 s after the restart');
}

describePg.skipIf(!enabled)('a PostgreSQL restart under load', () => {
  it('loses nothing that was acknowledged and applies every event once', async () => {
    const schema = freshSchema('restart');
    const version = clusterVersion();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    pool.on('error', () => undefined);
    const app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema, poolSize: 8 }), source: 'test/restart', partitions: 4, logger: memoryLogger() });
    app.consumer('effects', { pollMs: 20, batchSize: 100 }).on(TestPlaced, async (e, ctx) => {
      await ctx.db.query(`insert into "${schema}".effects (event_id) values ($1)`, [e.id]);
    });
    await app.start();
    await pool.query(`create table "${schema}".effects (rid bigserial primary key, event_id text not null)`);

    const startedAt = async () => ((await pool.query('select pg_postmaster_start_time()::text as t')).rows[0] as { t: string }).t;
    const before = await startedAt();
    const acknowledged: string[] = [];
    const errors: unknown[] = [];
    let publishing = true;
    const publisher = async (p: number) => {
      for (let n = 0; publishing; n++) {
        try {
          acknowledged.push((await app.publish(TestPlaced, { key: `k${p}-${n % 7}`, n })).id);
        } catch (err) {
          errors.push(err);
          await sleep(50);
        }
      }
    };
    const publishers = Array.from({ length: 8 }, (_, p) => publisher(p));
    try {
      await sleep(1000);
      try {
        await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '-m', 'fast']);
      } finally {
        // Whatever happened, leave the server running.
        await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']).catch(() => undefined);
        await waitReady();
      }
      await sleep(1500);
    } finally {
      publishing = false;
      await Promise.all(publishers);
    }
    try {
      expect(await startedAt()).not.toBe(before);
      console.info(`restart under load: ${acknowledged.length} publishes acknowledged, ${errors.length} refused with an error`);
      expect(acknowledged.length).toBeGreaterThan(100);
      for (const err of errors) {
        expect(err).toBeInstanceOf(FactlineError);
        expect(['CONNECTION_LOST', 'CONNECTION_FAILED']).toContain((err as FactlineError).code);
      }
      const stored = new Set(((await pool.query(`select id from "${schema}".events`)).rows as { id: string }[]).map((r) => r.id));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      await eventually('every stored event applied', async () => {
        const n = (await pool.query(`select count(distinct event_id)::int as n from "${schema}".effects`)).rows[0] as { n: number };
        return n.n === stored.size;
      }, 60_000);
      const twice = (await pool.query(`select event_id from "${schema}".effects group by event_id having count(*) > 1`)).rows;
      expect(twice).toEqual([]);
    } finally {
      await app.stop();
      await pool.end();
    }
  });
});
