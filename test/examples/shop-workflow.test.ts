import { describe, expect, it } from 'vitest';
import { freshDb, run } from './shop-run.js';

interface Listed {
  instances: { key: string; state: string; done: boolean; stuck: boolean }[];
  counts: { name: string; state: string; done: boolean; count: number }[];
}

describe('the shop demo\'s order workflow', () => {
  it('ends every order confirmed or cancelled, with compensation, and shows one of each', () => {
    const db = freshDb();
    const out = run('demo', ['--db', db]);
    const line = /order workflow: (.*); (\d+) payments? refunded by compensation/.exec(out);
    expect(line, out).not.toBeNull();
    const counts = Object.fromEntries(line![1]!.split(', ').map((p) => p.split(' ').reverse()));
    expect(Object.keys(counts).sort()).toEqual(['OrderCancelled', 'OrderConfirmed']);
    expect(Number(counts.OrderCancelled) + Number(counts.OrderConfirmed)).toBe(200);
    expect(Number(line![2])).toBeGreaterThan(0);
    expect(out).toMatch(/a confirmed order: npx factline workflow show order \S+ --db/);
    expect(out).toMatch(/a cancelled order: npx factline workflow show order \S+ --db/);
    expect(out).toMatch(/InventoryReserved +OrderConfirmed +shop\.payment\.captured/);
    expect(out).toMatch(/OrderCancelled/);

    const listed = JSON.parse(run('cli', ['workflow', 'list', '--name', 'order', '--db', db, '--json', '--limit', '500'])) as Listed;
    expect(listed.instances).toHaveLength(200);
    expect(listed.instances.every((i) => i.done && !i.stuck)).toBe(true);
    expect(listed.counts.reduce((n, c) => n + c.count, 0)).toBe(200);
    expect(JSON.parse(run('cli', ['workflow', 'list', '--stuck', '--db', db, '--json'])).instances).toEqual([]);

    // Declined payments (every 20th order from the 3rd) cancel with the rejection as the cause.
    const declined = listed.instances.find((i) => i.key.endsWith('-0003'))!;
    expect(declined.state).toBe('OrderCancelled');
    const shown = JSON.parse(run('cli', ['workflow', 'show', 'order', declined.key, '--db', db, '--json'])) as {
      history: { kind: string; to?: string; eventType: string }[];
      commands: { type: string; outcome: { status: string; reason?: string } }[];
    };
    expect(shown.history.map((h) => [h.kind, h.to, h.eventType])).toEqual([
      ['started', 'OrderPending', 'shop.order.placed'],
      ['transition', 'OrderCancelled', 'factline.command.rejected'],
    ]);
    expect(shown.commands).toEqual([expect.objectContaining({ type: 'shop.payment.authorize', outcome: expect.objectContaining({ status: 'rejected', reason: 'card declined' }) })]);
    // A slow payment (the 7th order) times out: the timer cancels the order and refunds the late authorization.
    const slow = JSON.parse(run('cli', ['workflow', 'show', 'order', listed.instances.find((i) => i.key.endsWith('-0007'))!.key, '--db', db, '--json'])) as typeof shown & { history: { timer?: string }[] };
    expect(slow.history.map((h) => h.kind)).toEqual(expect.arrayContaining(['started', 'transition']));
    expect(slow.history[1]).toMatchObject({ to: 'OrderCancelled', timer: 'payment' });
    expect(slow.commands.map((c) => [c.type, c.outcome.status])).toEqual([['shop.payment.authorize', 'accepted'], ['shop.payment.refund', 'accepted']]);

    // factline trace shows each command's decision under it.
    expect(run('cli', ['trace', declined.key, '--db', db])).toContain('command outcome: rejected by payments: card declined');

    const text = run('cli', ['workflow', 'show', 'order', declined.key, '--db', db]);
    expect(text).toContain('state:       OrderCancelled (ended)');
    expect(text).toContain('rejected: card declined');
    expect(text).toContain('awaiting outcome: none');
  });
});
