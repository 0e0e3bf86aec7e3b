import { describe, it } from 'vitest';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { freshFile } from './log-fixture.js';
import { buildFlows, checkTraceCli } from './trace-fixture.js';

describe('factline trace on SQLite', () => {
  it('shows every event of a flow and each group\'s outcome: handled, retrying, parked, dead letter, not reached, no handler', async () => {
    const file = freshFile('trace');
    const flows = await buildFlows(() => sqliteEngine({ file }));
    checkTraceCli(['--db', file], flows);
  }, 90_000);
});
