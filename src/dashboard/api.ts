import type { Context, Hono } from 'hono';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterStatus, Engine, LogRecord, TimedRecord } from '../core/engine.js';
import { FactlineError } from '../core/errors.js';
import { checkMutation } from './auth.js';
import { eventPage } from './event-page.js';
import { traceOf } from './flow-source.js';
import { parseBody } from './format.js';
import { overview, type RateSampler } from './overview.js';

export interface ApiDeps {
  readonly engine: Engine;
  readonly token: string | undefined;
  readonly sampler: RateSampler;
  readonly actor: string;
  readonly now: () => number;
}

/** A dead letter as the API returns it: the stored envelope parsed as `event`. */
export function deadLetterJson(d: DeadLetterRecord): Record<string, unknown> {
  const { body, ...rest } = d;
  return { ...rest, event: parseBody(body) };
}

export function eventJson(e: LogRecord | TimedRecord): Record<string, unknown> {
  const { body, ...rest } = e;
  return { ...rest, envelope: parseBody(body) };
}

const STATUSES: readonly string[] = ['open', 'replayed', 'discarded'];
export const DEAD_LETTER_LIMIT = 500;

/** The dead-letter filter of a query string; an unknown status is a FactlineError BAD_REQUEST. */
export function deadLetterFilter(q: (name: string) => string | undefined): DeadLetterFilter {
  const status = q('status') || undefined;
  if (status !== undefined && !STATUSES.includes(status)) throw new FactlineError('BAD_REQUEST', `status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  const limit = Math.min(5000, Math.max(1, Number(q('limit') ?? DEAD_LETTER_LIMIT) || DEAD_LETTER_LIMIT));
  return {
    ...(q('group') ? { group: q('group')! } : {}),
    ...(q('type') ? { type: q('type')! } : {}),
    ...(q('subject') ? { subject: q('subject')! } : {}),
    ...(status ? { status: status as DeadLetterStatus } : {}),
    limit,
  };
}

const HTTP_OF: Record<string, 400 | 404 | 409> = { NOT_FOUND: 404, ALREADY_RESOLVED: 409, BAD_CURSOR: 400, BAD_REQUEST: 400 };

/** A FactlineError as `{ error: { code, message } }` with its HTTP status; anything else rethrown. */
export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof FactlineError && HTTP_OF[err.code] !== undefined) return c.json({ error: { code: err.code, message: err.message } }, HTTP_OF[err.code]!);
  throw err;
}

async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FactlineError('BAD_REQUEST', 'the request body is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FactlineError('BAD_REQUEST', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The JSON API under `${base}/api`; mutations go through checkMutation first. */
export function mountApi(app: Hono, base: string, d: ApiDeps): void {
  const { engine } = d;
  const api = `${base}/api`;
  const guarded = (fn: (c: Context, body: Record<string, unknown>) => Promise<Response>) => async (c: Context) => {
    const refusal = checkMutation(c.req.raw, d.token);
    if (refusal) return c.json({ error: { code: refusal.code, message: refusal.message } }, refusal.status);
    try {
      return await fn(c, await jsonBody(c.req.raw));
    } catch (err) {
      return errorResponse(c, err);
    }
  };
  const who = (body: Record<string, unknown>) => text(body.by) ?? d.actor;

  app.get(`${api}/info`, (c) => c.json({ engine: engine.kind, readOnly: d.token === undefined, flow: traceOf(engine) !== undefined }));

  app.get(`${api}/overview`, async (c) => c.json(await overview(engine, d.sampler, d.now())));

  app.get(`${api}/dead-letters`, async (c) => {
    try {
      const list = await engine.admin.listDeadLetters(deadLetterFilter((n) => c.req.query(n)));
      return c.json({ deadLetters: list.map(deadLetterJson) });
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get(`${api}/dead-letters/:id`, async (c) => {
    const dl = await engine.admin.getDeadLetter(c.req.param('id'));
    return dl ? c.json(deadLetterJson(dl)) : c.json({ error: { code: 'NOT_FOUND', message: `no dead letter with id ${c.req.param('id')}` } }, 404);
  });

  app.post(`${api}/dead-letters/:id/replay`, guarded(async (c, body) => {
    const dl = await engine.admin.replayDeadLetter(c.req.param('id')!, { by: who(body), why: text(body.reason) ?? 'replayed from the dashboard' });
    return c.json({ message: `replayed to ${dl.group} only`, deadLetter: deadLetterJson(dl) });
  }));

  app.post(`${api}/dead-letters/:id/discard`, guarded(async (c, body) => {
    const why = text(body.reason);
    if (why === undefined) throw new FactlineError('BAD_REQUEST', 'discard needs a reason: a discarded event never runs in its group again');
    const dl = await engine.admin.discardDeadLetter(c.req.param('id')!, { by: who(body), why });
    return c.json({ message: `discarded from ${dl.group}`, deadLetter: deadLetterJson(dl) });
  }));

  app.post(`${api}/groups/:group/replay`, guarded(async (c, body) => {
    const group = c.req.param('group')!;
    const type = text(body.type);
    const open = await engine.admin.listDeadLetters({ group, status: 'open', limit: 100_000, ...(type ? { type } : {}) });
    const replayed: string[] = [];
    const skipped: { id: string; error: string }[] = [];
    for (const dl of open) {
      try {
        await engine.admin.replayDeadLetter(dl.id, { by: who(body), why: text(body.reason) ?? 'replayed from the dashboard' });
        replayed.push(dl.id);
      } catch (err) {
        if (err instanceof FactlineError && err.code === 'ALREADY_RESOLVED') skipped.push({ id: dl.id, error: err.message });
        else throw err;
      }
    }
    return c.json({ message: `${replayed.length} replayed to ${group} only${skipped.length ? `, ${skipped.length} already resolved` : ''}`, replayed, skipped });
  }));

  app.get(`${api}/events`, async (c) => {
    try {
      const page = await eventPage(engine.admin, { cursor: c.req.query('cursor'), limit: Number(c.req.query('limit') ?? 50) || 50, type: c.req.query('type'), subject: c.req.query('subject') });
      return c.json({ events: page.events.map(eventJson), ...(page.next ? { next: page.next } : {}) });
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get(`${api}/events/:id`, async (c) => {
    const e = await engine.admin.findEvent(c.req.param('id'));
    return e ? c.json(eventJson(e)) : c.json({ error: { code: 'NOT_FOUND', message: `no event with id ${c.req.param('id')}` } }, 404);
  });

  app.get(`${api}/flow`, async (c) => {
    const trace = traceOf(engine);
    if (!trace) return c.json({ error: { code: 'NOT_AVAILABLE', message: 'this engine does not trace flows' } }, 404);
    const q = c.req.query('q') ?? '';
    if (q.trim() === '') return c.json({ error: { code: 'BAD_REQUEST', message: 'give ?q= an order id (subject), a correlation id or an event id' } }, 400);
    return c.json(await trace(q.trim()));
  });

  // Mutations only by POST: any other method on these paths is refused rather than run.
  app.all(`${api}/*`, (c) => c.json({ error: { code: 'NOT_FOUND', message: `no API route ${c.req.method} ${new URL(c.req.url).pathname}` } }, c.req.method === 'GET' ? 404 : 405));
}
