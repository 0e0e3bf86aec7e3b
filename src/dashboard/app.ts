import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { Engine } from '../core/engine.js';
import { FactlineError } from '../core/errors.js';
import { DEAD_LETTER_LIMIT, deadLetterFilter, mountApi } from './api.js';
import { CLIENT_JS } from './assets/client.js';
import { STYLE_CSS } from './assets/style.js';
import { eventPage } from './event-page.js';
import { traceOf } from './flow-source.js';
import type { Html } from './html.js';
import { notFound, type PageContext } from './layout.js';
import { overview, RateSampler } from './overview.js';
import { deadLetterPage, deadLettersPage } from './page-dead-letters.js';
import { flowPage } from './page-flow.js';
import { eventPageHtml, logPage } from './page-log.js';
import { overviewBody, overviewPage } from './page-overview.js';

export interface DashboardOptions {
  /** An opened engine; the dashboard never closes it. */
  readonly engine: Engine;
  /**
   * Replay and discard are offered, and accepted, only when a token is set; requests must carry it
   * as `Authorization: Bearer <token>`. Without one the dashboard is read-only.
   */
  readonly token?: string | undefined;
  /** The path the dashboard is mounted at, e.g. `/factline` (default: the root). */
  readonly basePath?: string;
  /** What the header shows as the log's location (mask passwords yourself, or use maskConnectionString). */
  readonly target?: string;
  /** Recorded as who replayed or discarded when a request does not say (`by`); default `dashboard`. */
  readonly actor?: string;
}

export interface Dashboard {
  /** The Hono app; its routes include the base path. */
  readonly app: Hono;
  /** Answers a WHATWG Request: for Hono, Bun, Deno or any fetch-style server. */
  fetch(request: Request): Promise<Response>;
  /** A Node `(req, res)` request listener: for node:http, Express (app.use) and Fastify (raw). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** No inline script or style runs: scripts and styles come from the dashboard only. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function normalizeBase(base: string | undefined): string {
  if (base === undefined || base === '' || base === '/') return '';
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(base)) throw new FactlineError('BAD_BASE_PATH', `basePath must be a path like /factline, got ${JSON.stringify(base)}`);
  return base.replace(/\/+$/, '');
}

/** The dashboard as one request handler over an opened engine. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const { engine } = options;
  const token = options.token !== undefined && options.token !== '' ? options.token : undefined;
  const base = normalizeBase(options.basePath);
  const sampler = new RateSampler();
  const now = () => Date.now();
  const ctx: PageContext = { base, target: options.target ?? engine.kind, writable: token !== undefined, flow: traceOf(engine) !== undefined };
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    c.header('cache-control', 'no-store');
    if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) c.header('content-security-policy', CSP);
  });
  const page = (c: Context, h: Html, status: 200 | 404 = 200) => c.html(h.text, status);

  app.get(`${base}/assets/app.js`, (c) => c.body(CLIENT_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get(`${base}/assets/style.css`, (c) => c.body(STYLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));

  app.get(`${base}/favicon.ico`, (c) => c.body(null, 204));
  mountApi(app, base, { engine, token, sampler, actor: options.actor ?? 'dashboard', now });

  app.get(base === '' ? '/' : base, async (c) => page(c, overviewPage(ctx, await overview(engine, sampler, now()))));
  if (base !== '') app.get(`${base}/`, async (c) => page(c, overviewPage(ctx, await overview(engine, sampler, now()))));
  app.get(`${base}/fragments/overview`, async (c) => page(c, overviewBody(ctx, await overview(engine, sampler, now()))));

  app.get(`${base}/dead-letters`, async (c) => {
    const q = (n: string) => c.req.query(n);
    let filter;
    try {
      filter = deadLetterFilter(q);
    } catch (err) {
      if (err instanceof FactlineError) return page(c, notFound(ctx, 'dead-letters', err.message), 404);
      throw err;
    }
    const [list, counts, status] = await Promise.all([engine.admin.listDeadLetters(filter), engine.admin.openDeadLetterCounts(), engine.admin.status()]);
    const groups = [...new Set([...status.map((s) => s.group), ...counts.map((g) => g.group)])].sort();
    const groupOpen = counts.find((g) => g.group === q('group'))?.open ?? 0;
    return page(c, deadLettersPage(ctx, { group: q('group'), type: q('type'), subject: q('subject'), status: q('status') }, list, groups, groupOpen, now(), filter.limit ?? DEAD_LETTER_LIMIT));
  });
  app.get(`${base}/dead-letters/:id`, async (c) => {
    const dl = await engine.admin.getDeadLetter(c.req.param('id'));
    return dl ? page(c, deadLetterPage(ctx, dl, now())) : page(c, notFound(ctx, 'dead-letters', `no dead letter with id ${c.req.param('id')}`), 404);
  });

  app.get(`${base}/log`, async (c) => {
    const q = { type: c.req.query('type'), subject: c.req.query('subject'), cursor: c.req.query('cursor') };
    try {
      const p = await eventPage(engine.admin, { ...q, limit: 50 });
      return page(c, logPage(ctx, q, p.events, p.next));
    } catch (err) {
      if (err instanceof FactlineError && err.code === 'BAD_CURSOR') return page(c, notFound(ctx, 'log', err.message), 404);
      throw err;
    }
  });
  app.get(`${base}/events/:id`, async (c) => {
    const e = await engine.admin.findEvent(c.req.param('id'));
    return e ? page(c, eventPageHtml(ctx, e)) : page(c, notFound(ctx, 'log', `no event with id ${c.req.param('id')}`), 404);
  });

  app.get(`${base}/flow`, async (c) => {
    const trace = traceOf(engine);
    if (!trace) return page(c, notFound(ctx, 'flow', 'this engine does not trace flows'), 404);
    const q = (c.req.query('q') ?? '').trim();
    return page(c, flowPage(ctx, q, q === '' ? undefined : await trace(q)));
  });

  app.notFound((c) => (c.req.path.startsWith(`${base}/api/`) ? c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.path}` } }, 404) : page(c, notFound(ctx, 'overview', `no page ${c.req.path}`), 404)));
  app.onError((err, c) => {
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof FactlineError ? err.code : 'INTERNAL';
    return c.req.path.startsWith(`${base}/api/`) ? c.json({ error: { code, message } }, 500) : c.text(`factline dashboard: ${code}: ${message}`, 500);
  });

  const fetch = async (request: Request) => app.fetch(request);
  const listener = getRequestListener(fetch);
  return {
    app,
    fetch,
    handle: (req, res) => {
      // Express strips its mount path from req.url and keeps the full one in originalUrl.
      const original = (req as { originalUrl?: unknown }).originalUrl;
      if (typeof original === 'string') req.url = original;
      return listener(req, res);
    },
  };
}
