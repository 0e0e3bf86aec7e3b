import { spawnSync } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, maskConnectionString, serveDashboard, type Dashboard, type Overview } from '../../src/dashboard/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';
import type { Factline } from '../../src/index.js';
import { IMG, nastyLog, SCRIPT, tmpFile } from './nasty-log.js';

const TOKEN = 'api-test-token-93a1';
const BASE = 'http://127.0.0.1';

const post = (d: Dashboard, path: string, headers: Record<string, string>, body = '{}') =>
  d.fetch(new Request(`${BASE}${path}`, { method: 'POST', headers, body }));
const get = (d: Dashboard, path: string, headers: Record<string, string> = {}) => d.fetch(new Request(`${BASE}${path}`, { headers }));
const json = { 'content-type': 'application/json' };
const bearer = { ...json, authorization: `Bearer ${TOKEN}` };

describe('the dashboard API on SQLite', () => {
  let app: Factline<SqliteDb>;
  let readOnly: Dashboard;
  let writable: Dashboard;
  let ids: string[];

  beforeAll(async () => {
    app = await nastyLog(sqliteEngine({ file: tmpFile('api.db') }));
    readOnly = createDashboard({ engine: app.engine });
    writable = createDashboard({ engine: app.engine, token: TOKEN });
    ids = (await app.engine.admin.listDeadLetters({ status: 'open' })).map((d) => d.id);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const status = async (id: string) => (await app.engine.admin.getDeadLetter(id))!.status;

  it('reports the overview, dead letters and events as JSON', async () => {
    expect(await (await get(readOnly, '/api/info')).json()).toEqual({ engine: 'sqlite', readOnly: true, flow: true });
    const o = (await (await get(readOnly, '/api/overview')).json()) as Overview;
    expect(o.alarm).toBe(true);
    const checker = o.groups.find((g) => g.group === 'checker')!;
    expect(checker.openDeadLetters).toBe(2);
    expect(checker.oldestOpenDeadLetterAt).toBeGreaterThan(0);
    expect(checker.partitions).toHaveLength(2);
    expect(o.groups.find((g) => g.group === 'reader')!.openDeadLetters).toBe(0);
    // The running app's member holds every partition of each group.
    const members = checker.members;
    expect(members).toHaveLength(1);
    expect(members[0]!.partitions.sort()).toEqual([0, 1]);
    const slow = o.groups.find((g) => g.group === 'slowpoke')!;
    expect(slow.retryingKeys).toBe(1);
    expect(slow.parkedKeys).toBe(1);
    expect(slow.retrying[0]).toMatchObject({ key: 'plain', attempts: 1 });
    expect(slow.retrying[0]!.lastError).toContain('busy with');
    expect(slow.retrying[0]!.nextAttemptAt).toBeGreaterThan(Date.now() + 60_000);

    const list = (await (await get(readOnly, `/api/dead-letters?group=checker&subject=${encodeURIComponent(SCRIPT)}`)).json()) as { deadLetters: { subject: string; reason: string; event: { data: { text: string } } }[] };
    expect(list.deadLetters).toHaveLength(1);
    expect(list.deadLetters[0]!.subject).toBe(SCRIPT);
    expect(list.deadLetters[0]!.event.data.text).toBe(IMG);
    expect((await get(readOnly, '/api/dead-letters?status=bogus')).status).toBe(400);
    expect((await get(readOnly, '/api/dead-letters/nope')).status).toBe(404);

    const first = (await (await get(readOnly, '/api/events?limit=2')).json()) as { events: { id: string; envelope: { subject: string } }[]; next?: string };
    expect(first.events).toHaveLength(2);
    const rest = (await (await get(readOnly, `/api/events?limit=2&cursor=${first.next}`)).json()) as { events: { id: string }[]; next?: string };
    expect(rest.events).toHaveLength(1);
    expect(rest.next).toBeUndefined();
    expect(new Set([...first.events, ...rest.events].map((e) => e.id)).size).toBe(3);
    expect((await get(readOnly, '/api/events?cursor=zz')).status).toBe(400);
    const one = (await (await get(readOnly, `/api/events/${first.events[0]!.id}`)).json()) as { id: string };
    expect(one.id).toBe(first.events[0]!.id);

    const flow = (await (await get(readOnly, `/api/flow?q=${encodeURIComponent(SCRIPT)}`)).json()) as { matched: string; verdict: { state: string; where?: { group: string } } };
    expect(flow.matched).toBe('subject');
    expect(flow.verdict.state).toBe('stuck');
    expect(flow.verdict.where?.group).toBe('checker');
  });

  it('refuses every mutation of a dashboard without a token with 403, and changes nothing', async () => {
    for (const path of [`/api/dead-letters/${ids[0]}/replay`, `/api/dead-letters/${ids[0]}/discard`, '/api/groups/checker/replay']) {
      const res = await post(readOnly, path, bearer, JSON.stringify({ reason: 'try' }));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('READ_ONLY');
    }
    expect(await status(ids[0]!)).toBe('open');
    expect(await status(ids[1]!)).toBe('open');
  });

  it('refuses mutations without the token, with a wrong one, from a form, from another origin or by GET', async () => {
    const path = `/api/dead-letters/${ids[0]}/replay`;
    const refused: [Record<string, string>, number, string][] = [
      [json, 403, 'FORBIDDEN'],
      [{ ...json, authorization: 'Bearer wrong-token-xxxx' }, 403, 'FORBIDDEN'],
      [{ ...json, authorization: TOKEN }, 403, 'FORBIDDEN'],
      [{ ...bearer, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{ ...bearer, 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{ ...bearer, origin: 'https://evil.example' }, 403, 'CROSS_ORIGIN'],
      [{ ...bearer, origin: 'null' }, 403, 'CROSS_ORIGIN'],
    ];
    for (const [headers, code, name] of refused) {
      const res = await post(writable, path, headers);
      expect(res.status, JSON.stringify(headers)).toBe(code);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(name);
    }
    // A cross-site form posts urlencoded with no custom header.
    expect((await post(writable, path, { 'content-type': 'application/x-www-form-urlencoded' }, 'reason=x')).status).toBe(403);
    expect((await get(writable, path)).status).toBe(404);
    expect((await writable.fetch(new Request(`${BASE}${path}`, { method: 'PUT', headers: bearer, body: '{}' }))).status).toBe(405);
    expect(await status(ids[0]!)).toBe('open');
  });

  it('replays and discards with the token, records who and why, and refuses a second time', async () => {
    // The page's own host, even as https (a TLS proxy in front), is no foreign origin.
    const replay = await post(writable, `/api/dead-letters/${ids[0]}/replay`, { ...bearer, origin: 'https://127.0.0.1' }, JSON.stringify({ reason: 'fixed the checker', by: 'alice' }));
    expect(replay.status).toBe(200);
    const dl = (await app.engine.admin.getDeadLetter(ids[0]!))!;
    expect(dl).toMatchObject({ status: 'replayed', resolvedBy: 'alice', resolution: 'fixed the checker' });
    const again = await post(writable, `/api/dead-letters/${ids[0]}/replay`, bearer);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ALREADY_RESOLVED');

    const noReason = await post(writable, `/api/dead-letters/${ids[1]}/discard`, bearer, JSON.stringify({ reason: '  ' }));
    expect(noReason.status).toBe(400);
    expect(await status(ids[1]!)).toBe('open');
    expect((await post(writable, `/api/dead-letters/${ids[1]}/discard`, bearer, 'not json')).status).toBe(400);
    const discard = await post(writable, `/api/dead-letters/${ids[1]}/discard`, { ...json, 'x-factline-token': TOKEN }, JSON.stringify({ reason: 'test data' }));
    expect(discard.status).toBe(200);
    expect(await app.engine.admin.getDeadLetter(ids[1]!)).toMatchObject({ status: 'discarded', resolvedBy: 'dashboard', resolution: 'test data' });
    expect((await post(writable, '/api/dead-letters/unknown-id/replay', bearer)).status).toBe(404);
  });

  it('renders event data escaped in its HTML, under a script-blocking Content-Security-Policy', async () => {
    const pages = ['/', '/dead-letters', `/dead-letters/${ids[0]}`, '/log', `/log?subject=${encodeURIComponent(IMG)}`, `/flow?q=${encodeURIComponent(SCRIPT)}`, `/flow?q=${encodeURIComponent(IMG)}`];
    for (const path of pages) {
      const res = await get(writable, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const text = await res.text();
      expect(text, path).not.toContain('<script>window');
      expect(text, path).not.toContain('<img');
      expect(text, path).not.toContain("' onmouseover=");
      expect(text, path).toMatch(/&lt;script&gt;window\.__xss|&quot;&gt;&lt;img/);
    }
  });

  it('mounts under a base path in node:http and in a Hono app', async () => {
    const dash = createDashboard({ engine: app.engine, basePath: '/ops/factline/' });
    const server: Server = createServer((req, res) => {
      if (req.url?.startsWith('/ops/factline')) void dash.handle(req, res);
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('the app itself');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const page = await fetch(`http://127.0.0.1:${port}/ops/factline/`);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain('href="/ops/factline/dead-letters"');
      expect(text).toContain('src="/ops/factline/assets/app.js"');
      expect((await fetch(`http://127.0.0.1:${port}/ops/factline/assets/app.js`)).headers.get('content-type')).toContain('javascript');
      expect(await (await fetch(`http://127.0.0.1:${port}/other`)).text()).toBe('the app itself');
      // Express strips its mount path from req.url and keeps originalUrl: the handler uses originalUrl.
      const viaExpressShape = await new Promise<number>((resolve, reject) => {
        const s2 = createServer((req, res) => {
          (req as { originalUrl?: string }).originalUrl = req.url;
          req.url = req.url!.replace('/ops/factline', '') || '/';
          void dash.handle(req, res);
        });
        s2.listen(0, '127.0.0.1', () => {
          const p2 = (s2.address() as AddressInfo).port;
          httpRequest({ host: '127.0.0.1', port: p2, path: '/ops/factline/api/info' }, (res) => {
            res.resume();
            res.on('end', () => s2.close(() => resolve(res.statusCode!)));
          }).on('error', reject).end();
        });
      });
      expect(viaExpressShape).toBe(200);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }

    const hono = new Hono();
    hono.get('/health', (c) => c.text('ok'));
    hono.all('/ops/factline/*', (c) => dash.fetch(c.req.raw));
    expect((await hono.request('/ops/factline/api/info')).status).toBe(200);
    expect((await hono.request('/ops/factline/dead-letters')).status).toBe(200);
    expect(await (await hono.request('/health')).text()).toBe('ok');
  });

  it('listens on 127.0.0.1 by default and answers only to loopback host names there', async () => {
    const served = await serveDashboard({ engine: app.engine, port: 0 });
    try {
      expect((served.server.address() as AddressInfo).address).toBe('127.0.0.1');
      const port = (served.server.address() as AddressInfo).port;
      expect(served.url).toBe(`http://127.0.0.1:${port}/`);
      const statusFor = (host: string) => new Promise<number>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/api/info', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on('error', reject).end();
      });
      expect(await statusFor(`localhost:${port}`)).toBe(200);
      expect(await statusFor(`127.0.0.1:${port}`)).toBe(200);
      expect(await statusFor(`evil.example:${port}`)).toBe(421);
    } finally {
      await served.close();
    }
  });
});

describe('masking and the command line', () => {
  it('masks passwords in connection strings', () => {
    expect(maskConnectionString('postgres://app:s3cret@db.internal:5432/shop')).toBe('postgres://app:***@db.internal:5432/shop');
    expect(maskConnectionString('postgres://db/shop?user=app&password=s3cret&sslmode=require')).toBe('postgres://db/shop?user=app&password=***&sslmode=require');
    expect(maskConnectionString('host=db user=app password=s3cret')).toBe('host=db user=app password=***');
    expect(maskConnectionString('postgres://app@db/shop')).toBe('postgres://app@db/shop');
  });

  it('rejects a bad port or a short token with exit code 2 before opening anything', () => {
    const cli = (args: string[]) => spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'factline.js'), 'dashboard', ...args], { encoding: 'utf8', env: { ...process.env, FACTLINE_DB: '', FACTLINE_URL: '' } });
    const badPort = cli(['--db', 'missing.db', '--port', 'eighty']);
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('--port must be a number');
    const shortToken = cli(['--db', 'missing.db', '--token', 'abc']);
    expect(shortToken.status).toBe(2);
    expect(shortToken.stderr).toContain('at least 8 characters');
    expect(cli(['--help']).stdout).toContain('--token <token>');
  });
});
