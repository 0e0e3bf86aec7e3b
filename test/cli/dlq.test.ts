import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { cli, drain, freshFile, prepareLog } from './log-fixture.js';

interface DeadLetterJson {
  id: string;
  group: string;
  eventType: string;
  subject: string;
  status: string;
  errors: { attempt: number; at: number; message: string; stack?: string }[];
  history: { action: string; by: string; why: string }[];
  resolvedBy?: string;
  resolution?: string;
  event: { id: string; data: { orderId: string } };
}

const list = (file: string, ...filters: string[]) => {
  const r = cli(['dlq', 'list', '--db', file, '--json', ...filters]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DeadLetterJson[];
};

const rows = (file: string, table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`select order_id from ${table}`).all() as { order_id: string }[]).map((r) => r.order_id).sort();
  } finally {
    db.close();
  }
};

describe('factline dlq', () => {
  let file: string;
  beforeAll(async () => {
    file = freshFile('dlq');
    await prepareLog(file, 12, [3, 7, 11]);
  });

  it('lists the dead letters of a group as a table and as JSON', () => {
    const text = cli(['dlq', 'list', '--db', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ID\s+GROUP\s+TYPE\s+SUBJECT\s+STATUS/);
    expect(text.stdout).toContain('3 dead letters, 3 open');
    const all = list(file);
    expect(all.map((d) => d.subject).sort()).toEqual(['ord-11', 'ord-3', 'ord-7']);
    expect(all.every((d) => d.group === 'fraud' && d.status === 'open' && d.eventType === 'test.order.placed')).toBe(true);
    expect(list(file, '--group', 'billing')).toEqual([]);
    expect(list(file, '--type', 'nope')).toEqual([]);
    expect(list(file, '--status', 'open')).toHaveLength(3);
  });

  it('shows the whole event, the group, each attempt\'s error, stack and time', () => {
    const [first] = list(file);
    const text = cli(['dlq', 'show', first!.id, '--db', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`dead letter ${first!.id}`);
    expect(text.stdout).toMatch(/group\s+fraud/);
    expect(text.stdout).toContain('no risk profile for its country');
    expect(text.stdout).toContain('log-fixture.ts');
    expect(text.stdout).toContain(`"id": "${first!.event.id}"`);
    const json = JSON.parse(cli(['dlq', 'show', first!.id, '--db', file, '--json']).stdout) as DeadLetterJson;
    expect(json.errors[0]!.message).toContain('no risk profile');
    expect(json.errors[0]!.stack).toContain('NonRetryableError');
    expect(typeof json.errors[0]!.at).toBe('number');
    expect(json.event.data.orderId).toBe(first!.subject);
  });

  it('replays to that group only, records who and why, and applies once when replayed twice', async () => {
    const target = list(file).find((d) => d.subject === 'ord-3')!;
    const first = cli(['dlq', 'replay', target.id, '--db', file, '--by', 'alice', '--reason', 'risk profile added']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('replayed to group fraud');
    const again = cli(['dlq', 'replay', target.id, '--db', file]);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('already replayed');

    const shown = JSON.parse(cli(['dlq', 'show', target.id, '--db', file, '--json']).stdout) as DeadLetterJson;
    expect(shown.status).toBe('replayed');
    expect(shown.history).toEqual([expect.objectContaining({ action: 'replayed', by: 'alice', why: 'risk profile added' })]);

    const calls = await drain(file);
    expect(calls.billing).toEqual([]);
    expect(calls.fraud).toEqual(['ord-3']);
    expect(rows(file, 'checked').filter((o) => o === 'ord-3')).toEqual(['ord-3']);
    expect(rows(file, 'billed').filter((o) => o === 'ord-3')).toEqual(['ord-3']);
  });

  it('discards only with a reason and never runs the event', async () => {
    const target = list(file, '--status', 'open').find((d) => d.subject === 'ord-7')!;
    const without = cli(['dlq', 'discard', target.id, '--db', file]);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toContain('--reason');
    expect(list(file, '--status', 'open').map((d) => d.id)).toContain(target.id);

    const ok = cli(['dlq', 'discard', target.id, '--db', file, '--reason', 'test order', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as DeadLetterJson).status).toBe('discarded');
    const twice = cli(['dlq', 'discard', target.id, '--db', file, '--reason', 'again']);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('already discarded');
    expect((await drain(file)).fraud).toEqual([]);
  });

  it('replays every open dead letter of a group with --group', async () => {
    const r = cli(['dlq', 'replay', '--group', 'fraud', '--db', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { replayed: DeadLetterJson[] };
    expect(out.replayed.map((d) => d.subject)).toEqual(['ord-11']);
    expect(list(file, '--status', 'open')).toEqual([]);
    const none = cli(['dlq', 'replay', '--group', 'fraud', '--db', file]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no open dead letters in group fraud');
    const calls = await drain(file);
    expect(calls).toEqual({ billing: [], fraud: ['ord-11'] });
  });
});
