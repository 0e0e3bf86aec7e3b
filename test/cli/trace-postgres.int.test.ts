import { it } from 'vitest';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import { describePg, freshSchema, PG_URL } from '../postgres/pg-test.js';
import { buildFlows, checkTraceCli } from './trace-fixture.js';

describePg('factline trace on PostgreSQL', () => {
  it('shows every event of a flow and each group\'s outcome: handled, retrying, parked, dead letter, not reached, no handler', async () => {
    const schema = freshSchema('trace');
    const flows = await buildFlows(() => postgresEngine({ connectionString: PG_URL, schema }));
    checkTraceCli(['--url', PG_URL, '--schema', schema], flows);
  }, 90_000);
});
