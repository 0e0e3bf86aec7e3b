import { expect, it } from 'vitest';
import { createFactline, NonRetryableError } from '../../src/index.js';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import { describePg, freshSchema, PG_URL } from '../postgres/pg-test.js';
import { cli, OrderPlaced, type Calls } from './log-fixture.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A real app on a PostgreSQL schema; its fraud group dead-letters bad orders unless fixed. */
async function runApp(schema: string, fixed: boolean, publish: { orderId: string; bad: boolean }[]): Promise<Calls> {
  const calls: Calls = { billing: [], fraud: [] };
  const app = createFactline({ engine: postgresEngine({ connectionString: PG_URL, schema }), source: 'test/orders', partitions: 3, logger: quiet });
  app.consumer('billing', { pollMs: 20 }).on(OrderPlaced, (e) => void calls.billing.push(e.data.orderId));
  app.consumer('fraud', { pollMs: 20, retry: { attempts: 2, initialDelayMs: 5 } }).on(OrderPlaced, (e) => {
    calls.fraud.push(e.data.orderId);
    if (e.data.bad && !fixed) throw new NonRetryableError(`order ${e.data.orderId}: no risk profile`);
  });
  await app.start();
  for (const o of publish) await app.publish(OrderPlaced, o);
  const end = Date.now() + 20_000;
  for (;;) {
    const status = await app.engine.admin.status();
    if (status.length === 6 && status.every((s) => s.position === s.head && s.parked === 0)) break;
    if (Date.now() > end) throw new Error(`the app did not catch up: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  await app.stop();
  return calls;
}

describePg('factline on PostgreSQL', () => {
  it('lists, shows and replays dead letters to their group only, and reports lag', async () => {
    const schema = freshSchema('cli');
    const target = ['--url', PG_URL, '--schema', schema];
    await runApp(schema, false, [{ orderId: 'o-1', bad: false }, { orderId: 'o-2', bad: true }, { orderId: 'o-3', bad: false }]);

    const listed = cli(['dlq', 'list', ...target, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const [dl] = JSON.parse(listed.stdout) as { id: string; group: string; subject: string; event: { id: string } }[];
    expect(dl).toMatchObject({ group: 'fraud', subject: 'o-2' });
    expect(cli(['dlq', 'show', dl!.id, ...target]).stdout).toContain('no risk profile');
    expect(JSON.parse(cli(['events', 'show', dl!.event.id, ...target, '--json']).stdout)).toMatchObject({ envelope: { subject: 'o-2' } });

    const lag = JSON.parse(cli(['lag', ...target, '--json']).stdout) as { groups: { group: string; lag: number; openDeadLetters: number }[] };
    expect(lag.groups).toEqual([
      expect.objectContaining({ group: 'billing', lag: 0, openDeadLetters: 0 }),
      expect.objectContaining({ group: 'fraud', lag: 0, openDeadLetters: 1 }),
    ]);

    expect(cli(['dlq', 'replay', dl!.id, ...target, '--by', 'bob']).code).toBe(0);
    const twice = cli(['dlq', 'replay', dl!.id, ...target]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already replayed');
    const calls = await runApp(schema, true, []);
    expect(calls).toEqual({ billing: [], fraud: ['o-2'] });
  });

  it('migrates a schema and refuses a schema without a log in one line', () => {
    const schema = freshSchema('cli_migrate');
    const empty = cli(['lag', '--url', PG_URL, '--schema', schema]);
    expect(empty.code).toBe(1);
    expect(empty.stderr.trim().split('\n')).toHaveLength(1);
    expect(empty.stderr).toContain(`no Factline log in schema ${schema} of postgres://***@`);
    expect(empty.stderr.split(schema)).toHaveLength(2); // the schema is named once
    const migrated = cli(['migrate', '--url', PG_URL, '--schema', schema]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(`(schema ${schema})`);
    expect(cli(['migrate'], { FACTLINE_URL: PG_URL, FACTLINE_SCHEMA: schema }).code).toBe(0);
  });
});
