import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresEngine, type PgTx } from '../../src/engines/postgres/index.js';
import type { Factline } from '../../src/index.js';
import { describePg, freshSchema, PG_URL } from '../postgres/pg-test.js';
import { IMG, nastyLog, SCRIPT } from './nasty-log.js';
import { startDashboard, type RunningDashboard } from './run-dashboard.js';

const TOKEN = 'pg-dashboard-token-7';

describePg('the dashboard on PostgreSQL', { timeout: 120_000 }, () => {
  let app: Factline<PgTx>;
  let writable: RunningDashboard;
  let readOnly: RunningDashboard;
  const schema = freshSchema('dashboard');
  // Trust authentication ignores the password: it is there to show that the page masks it.
  const url = PG_URL.replace('//root@', '//root:hunter2-secret@');

  beforeAll(async () => {
    app = await nastyLog(postgresEngine({ connectionString: PG_URL, schema }));
    [writable, readOnly] = await Promise.all([
      startDashboard(['--url', url, '--schema', schema], { FACTLINE_DASHBOARD_TOKEN: TOKEN }),
      startDashboard(['--url', url, '--schema', schema]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([writable?.stop(), readOnly?.stop()]);
    await app?.stop();
  });

  const api = async <T>(d: RunningDashboard, path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${d.url}${path}`, init);
    return { status: res.status, body: (await res.json()) as T };
  };

  it('serves the overview, dead letters, the log and flows through the API', async () => {
    const info = await api<{ engine: string; readOnly: boolean }>(writable, '/api/info');
    expect(info.body).toEqual({ engine: 'postgres', readOnly: false, flow: true });
    const o = await api<{ alarm: boolean; groups: { group: string; openDeadLetters: number; oldestOpenDeadLetterAt: number; lag: number }[] }>(readOnly, '/api/overview');
    expect(o.body.alarm).toBe(true);
    expect(o.body.groups.map((g) => [g.group, g.openDeadLetters])).toEqual([['checker', 2], ['reader', 0], ['slowpoke', 0]]);
    expect(o.body.groups[0]!.oldestOpenDeadLetterAt).toBeGreaterThan(0);

    const list = await api<{ deadLetters: { subject: string; event: { data: { text: string } } }[] }>(readOnly, `/api/dead-letters?subject=${encodeURIComponent(SCRIPT)}`);
    expect(list.body.deadLetters.map((d) => d.event.data.text)).toEqual([IMG]);

    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const page = await api<{ events: { id: string }[]; next?: string }>(readOnly, `/api/events?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.events.map((e) => e.id));
      if (!page.body.next) break;
      cursor = page.body.next;
    }
    expect(new Set(seen).size).toBe(3);
    expect(seen).toHaveLength(3);

    const flow = await api<{ verdict: { state: string; where?: { group: string } } }>(readOnly, `/api/flow?q=${encodeURIComponent(IMG)}`);
    expect(flow.body.verdict).toMatchObject({ state: 'stuck', where: { group: 'checker' } });

    const html = await (await fetch(`${readOnly.url}/dead-letters`)).text();
    expect(html).not.toContain('hunter2');
    expect(html).toContain('root:***@');
    expect(html).toContain(schema);
    expect(html).not.toContain('<img');
  });

  it('refuses mutations without the token (403) and replays to the group with it', async () => {
    const [first] = await app.engine.admin.listDeadLetters({ status: 'open' });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
    expect((await api(readOnly, `/api/dead-letters/${first!.id}/replay`, { method: 'POST', headers, body: '{}' })).status).toBe(403);
    expect((await api(writable, `/api/dead-letters/${first!.id}/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await app.engine.admin.getDeadLetter(first!.id))!.status).toBe('open');

    const done = await api<{ replayed: string[] }>(writable, '/api/groups/checker/replay', { method: 'POST', headers, body: JSON.stringify({ reason: 'pg test' }) });
    expect(done.status).toBe(200);
    expect(done.body.replayed).toHaveLength(2);
    const replayed = await app.engine.admin.listDeadLetters({ status: 'replayed' });
    expect(replayed.map((d) => [d.group, d.resolvedBy, d.resolution])).toEqual([['checker', 'dashboard', 'pg test'], ['checker', 'dashboard', 'pg test']]);
    // The replayed events run again in checker only; they fail again and become new dead letters there.
    await expect.poll(async () => (await app.engine.admin.listDeadLetters({ status: 'open' })).map((d) => d.group), { timeout: 20_000 }).toEqual(['checker', 'checker']);
  });
});
