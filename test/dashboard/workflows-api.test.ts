import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';
import { createFactline, defineEvent, defineWorkflow, type Factline } from '../../src/index.js';
import { eventually, memoryLogger } from '../../src/testing/helpers.js';
import { tmpFile } from './nasty-log.js';

const Opened = defineEvent({ type: 'test.ticket.opened', version: 1, schema: z.object({ id: z.string() }), subject: (d) => d.id });
const Closed = defineEvent({ type: 'test.ticket.closed', version: 1, schema: z.object({ id: z.string() }), subject: (d) => d.id });
const ticket = defineWorkflow<{ opened: boolean }>('ticket', (w) => ({
  start: w.start(Opened, { to: 'Open', data: () => ({ opened: true }) }),
  states: { Open: { on: [w.on(Closed, { to: 'Closed' })] }, Closed: { terminal: true } },
}));

const get = (d: Dashboard, path: string) => d.fetch(new Request(`http://127.0.0.1${path}`));

describe('the dashboard API for workflows', () => {
  let app: Factline<SqliteDb>;
  let dashboard: Dashboard;

  beforeAll(async () => {
    app = createFactline({ engine: sqliteEngine({ file: tmpFile('workflows.db') }), source: 'test/tickets', partitions: 2, logger: memoryLogger() });
    app.workflow(ticket);
    await app.start();
    await app.publish(Opened, { id: 't1' });
    await app.publish(Opened, { id: 't2' });
    await app.publish(Closed, { id: 't2' });
    await eventually('t2 closed', async () => (await app.engine.admin.workflow('ticket', 't2'))?.instance.done);
    await eventually('t1 open', async () => (await app.engine.admin.workflow('ticket', 't1'))?.instance.state === 'Open');
    await new Promise((r) => setTimeout(r, 5)); // t1's last transition is in the past for stuckAfterMs=0
    dashboard = createDashboard({ engine: app.engine });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('lists instances with counts per state, filtered by state', async () => {
    const all = (await (await get(dashboard, '/api/workflows?name=ticket')).json()) as { instances: { key: string; state: string }[]; counts: { state: string; count: number }[] };
    expect(all.instances.map((i) => [i.key, i.state]).sort()).toEqual([['t1', 'Open'], ['t2', 'Closed']]);
    expect(all.counts.map((c) => [c.state, c.count])).toEqual([['Closed', 1], ['Open', 1]]);
    const open = (await (await get(dashboard, '/api/workflows?state=Open')).json()) as { instances: { key: string }[] };
    expect(open.instances.map((i) => i.key)).toEqual(['t1']);
    const stuck = (await (await get(dashboard, '/api/workflows?stuck=true&stuckAfterMs=0')).json()) as { instances: { key: string }[] };
    expect(stuck.instances.map((i) => i.key)).toEqual(['t1']);
    expect((await get(dashboard, '/api/workflows?limit=-1')).status).toBe(400);
  });

  it('shows one instance with its history, and 404 for an unknown one', async () => {
    const view = (await (await get(dashboard, '/api/workflows/ticket/t2')).json()) as { instance: { state: string; done: boolean }; history: { kind: string; to: string }[] };
    expect(view.instance).toMatchObject({ state: 'Closed', done: true });
    expect(view.history.map((h) => [h.kind, h.to])).toEqual([['started', 'Open'], ['transition', 'Closed']]);
    expect((await get(dashboard, '/api/workflows/ticket/nope')).status).toBe(404);
  });
});
