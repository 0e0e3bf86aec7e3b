import { describe, expect, it } from 'vitest';
import { freshDb, run, summary } from './shop-run.js';

describe('the shop demo', () => {
  it('dead-letters the new market\'s orders in fraud only, then drains them after a replay and the fix', () => {
    const db = freshDb();
    const first = run('demo', ['--db', db]);
    expect(first).toContain(`Factline shop demo on SQLite ${db} (new log)`);
    const s1 = summary(first);
    expect(s1.billing).toEqual([200, 0, 0, 0, 0]);
    expect(s1.inventory).toEqual([200, 0, 0, 0, 0]);
    expect(s1.email![0]).toBe(400);
    expect(s1.email![1]).toBeGreaterThan(0);
    expect(s1.email!.slice(2)).toEqual([0, 0, 0]);
    expect(s1.analytics).toEqual([600, 0, 0, 0, 0]);
    expect(s1.fraud).toEqual([196, 0, 4, 4, 0]);
    expect(first).toContain(`npx factline dlq list --db ${db}`);
    expect(first).toContain(`npx factline dlq replay --group fraud --reason "risk profile for NO" --db ${db}`);
    expect(first).toContain(`npm run demo -- --fix --db ${db}`);
    expect(first.trimEnd().split('\n').at(-1)).toBe(`  npx factline dashboard --db ${db}`);

    const listed = JSON.parse(run('cli', ['dlq', 'list', '--db', db, '--status', 'open', '--json'])) as { group: string; subject: string }[];
    expect(listed.map((d) => d.group)).toEqual(['fraud', 'fraud', 'fraud', 'fraud']);
    expect(listed.map((d) => d.subject.slice(-4))).toEqual(['0017', '0067', '0117', '0167']);

    // Running the fixed code alone does not touch dead letters: they wait for a replay.
    const fixedOnly = summary(run('demo', ['--fix', '--db', db]));
    expect(fixedOnly.fraud).toEqual([196, 0, 4, 4, 0]);

    expect(run('cli', ['dlq', 'replay', '--group', 'fraud', '--reason', 'risk profile for NO', '--db', db])).toContain('4 replayed to group fraud only');
    const drained = run('demo', ['--fix', '--db', db]);
    const s2 = summary(drained);
    expect(s2.fraud).toEqual([200, 0, 4, 0, 0]);
    // The other groups ran nothing again: their counts are those of the first run.
    expect(s2.billing).toEqual([200, 0, 0, 0, 0]);
    expect(s2.email![0]).toBe(400);
    expect(s2.analytics).toEqual([600, 0, 0, 0, 0]);
    expect(drained).toContain('email provider: 0 calls this run');
    expect(drained).toContain('Every group is at the head of the log with zero open dead letters.');

    const lag = JSON.parse(run('cli', ['lag', '--db', db, '--json'])) as { groups: { group: string; lag: number; parked: number; openDeadLetters: number }[] };
    expect(lag.groups.map((g) => g.group)).toEqual(['analytics', 'billing', 'email', 'fraud', 'inventory']);
    expect(lag.groups.every((g) => g.lag === 0 && g.parked === 0 && g.openDeadLetters === 0)).toBe(true);
  });

  it('replays and drains in one step with --fix --replay, and adds orders to an existing log with --orders', () => {
    const db = freshDb();
    expect(summary(run('demo', ['--db', db, '--orders', '60'])).fraud).toEqual([59, 0, 1, 1, 0]);
    const out = run('demo', ['--db', db, '--fix', '--replay', '--orders', '20']);
    expect(out).toContain('replayed 1 open dead letter of group fraud');
    const s = summary(out);
    expect(s.fraud).toEqual([80, 0, 1, 0, 0]);
    expect(s.billing).toEqual([80, 0, 0, 0, 0]);
    expect(s.analytics![0]).toBe(240);
  });
});
