import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { describePg, freshSchema, PG_URL } from '../postgres/pg-test.js';
import { run, summary } from './shop-run.js';

describePg('the shop demo on PostgreSQL', () => {
  it('dead-letters in fraud only, then drains after a replay with the CLI and the fix, and says how to drop what it made', async () => {
    const schema = freshSchema('shop');
    const target = ['--url', PG_URL, '--schema', schema];
    const first = run('demo', ['--postgres', ...target]);
    expect(first).toContain(`schema ${schema} (new log)`);
    const emailFile = join(tmpdir(), `factline-shop-${schema}-email-provider.db`);
    const drop = `psql "${PG_URL}" -c 'drop schema ${schema} cascade' && rm -f ${emailFile}`;
    expect(first).toContain(`  created the schema ${schema} for the log and the shop's tables; to drop it when done: ${drop}`);
    expect(first).toContain(`This run created the schema ${schema} in 127.0.0.1:5432/test (the log and the shop's tables) and ${emailFile} (the fake e-mail provider's file). Drop them when you are done:\n  ${drop}`);
    const s1 = summary(first);
    expect(s1.billing).toEqual([200, 0, 0, 0, 0]);
    expect(s1.inventory).toEqual([200, 0, 0, 0, 0]);
    expect(s1.analytics).toEqual([600, 0, 0, 0, 0]);
    expect(s1.fraud).toEqual([196, 0, 4, 4, 0]);
    expect(first).toContain(`npx factline dlq replay --group fraud --reason "risk profile for NO" --url ${PG_URL} --schema ${schema}`);

    expect(run('cli', ['dlq', 'replay', '--group', 'fraud', ...target])).toContain('4 replayed to group fraud only');
    const s2 = summary(run('demo', ['--fix', ...target]));
    expect(s2.fraud).toEqual([200, 0, 4, 0, 0]);
    expect(s2.billing).toEqual([200, 0, 0, 0, 0]);
    const lag = JSON.parse(run('cli', ['lag', ...target, '--json'])) as { groups: { lag: number; parked: number; openDeadLetters: number }[] };
    expect(lag.groups).toHaveLength(8); // the shop's five groups, the order workflow's, payments and warehouse
    expect(lag.groups.every((g) => g.lag === 0 && g.parked === 0 && g.openDeadLetters === 0)).toBe(true);

    // What the demo says to run does drop everything it made.
    const sql = /-c '([^']+)'/.exec(drop)![1]!;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
      expect((await client.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount).toBe(0);
    } finally {
      await client.end();
    }
    rmSync(emailFile, { force: true });
  });
});
