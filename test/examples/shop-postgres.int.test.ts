import { expect, it } from 'vitest';
import { describePg, freshSchema, PG_URL } from '../postgres/pg-test.js';
import { run, summary } from './shop-run.js';

describePg('the shop demo on PostgreSQL', () => {
  it('dead-letters in fraud only, then drains after a replay with the CLI and the fix', () => {
    const schema = freshSchema('shop');
    const target = ['--url', PG_URL, '--schema', schema];
    const first = run('demo', ['--postgres', ...target]);
    expect(first).toContain(`schema ${schema} (new log)`);
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
    expect(lag.groups).toHaveLength(5);
    expect(lag.groups.every((g) => g.lag === 0 && g.parked === 0 && g.openDeadLetters === 0)).toBe(true);
  });
});
