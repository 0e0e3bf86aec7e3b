import { describe, expect, it } from 'vitest';
import { cli, drain, freshFile, prepareLog } from './log-fixture.js';

describe('factline groups and dlq list --subject', () => {
  it('lists the groups, refuses a rewind without --yes off a terminal, and rewinds one group only', async () => {
    const file = freshFile('groups');
    await prepareLog(file, 6, [3]);
    const db = ['--db', file];

    const listed = cli(['groups', 'list', ...db, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const groups = JSON.parse(listed.stdout) as { group: string; handles: string[]; lag: number; openDeadLetters: number; partitions: number; lastSeenAt: number }[];
    expect(groups.map((g) => [g.group, g.handles, g.lag, g.openDeadLetters, g.partitions])).toEqual([
      ['billing', ['test.order.placed@1'], 0, 0, 4],
      ['fraud', ['test.order.placed@1'], 0, 1, 4],
    ]);
    expect(groups[0]!.lastSeenAt).toBeGreaterThan(0);
    const text = cli(['groups', 'list', ...db]);
    expect(text.stdout).toMatch(/^GROUP\s+LAG\s+PARKED\s+OPEN DEAD LETTERS\s+LEASED\s+MEMBERS\s+LAST START\s+HANDLES/);
    expect(text.stdout).toMatch(/fraud\s+0\s+0\s+1\s+0\/4\s+0\s+.* ago\s+test\.order\.placed@1/);

    const refused = cli(['groups', 'rewind', 'billing', '--to', 'beginning', ...db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused without --yes, because stdin is not a terminal/);
    expect(cli(['groups', 'rewind', 'billing', '--to', 'yesterday', '--yes', ...db]).code).toBe(2);
    const unknown = cli(['groups', 'rewind', 'nobody', '--to', 'beginning', '--yes', ...db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no consumer group nobody/);
    // Nothing changed so far: the fixed app has nothing to do for billing.
    expect((await drain(file)).billing).toEqual([]);

    const rewound = cli(['groups', 'rewind', 'billing', '--to', 'beginning', '--yes', ...db, '--json']);
    expect(rewound.code, rewound.stderr).toBe(0);
    const result = JSON.parse(rewound.stdout) as { group: string; partitions: { partition: number; from: number; to: number; inboxCleared: number }[] };
    expect(result.group).toBe('billing');
    expect(result.partitions.reduce((n, p) => n + p.from, 0)).toBe(6);
    expect(result.partitions.reduce((n, p) => n + p.inboxCleared, 0)).toBe(6);
    const again = await drain(file);
    expect(again.billing.sort()).toEqual(['ord-1', 'ord-2', 'ord-3', 'ord-4', 'ord-5', 'ord-6']);
    expect(again.fraud).toEqual([]);
    const one = result.partitions[0]!;
    const partial = cli(['groups', 'rewind', 'billing', '--to', '1', '--partition', String(one.partition), '--yes', ...db]);
    expect(partial.stdout).toMatch(/rewound group billing to sequence 1 of each partition/);
    expect(partial.stdout).toMatch(new RegExp(`^${one.partition}\\s+${one.from}\\s+0\\s+${one.from}\\s+0$`, 'm'));
  }, 120_000);

  it('filters dead letters by subject', async () => {
    const file = freshFile('dlq-subject');
    await prepareLog(file, 4, [2, 4]);
    const r = cli(['dlq', 'list', '--subject', 'ord-4', '--db', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { subject: string }[]).map((d) => d.subject)).toEqual(['ord-4']);
    expect(JSON.parse(cli(['dlq', 'list', '--subject', 'ord-1', '--db', file, '--json']).stdout)).toEqual([]);
  }, 60_000);
});
