import type { LogRecord, TimedRecord } from '../core/engine.js';
import { isoMs, parseBody, pretty } from './format.js';
import { html, query, type Html } from './html.js';
import { layout, type PageContext } from './layout.js';

export interface LogQuery {
  readonly type?: string | undefined;
  readonly subject?: string | undefined;
  readonly cursor?: string | undefined;
}

function subjectOf(body: string): string | undefined {
  const env = parseBody(body);
  return env && typeof env === 'object' && typeof (env as { subject?: unknown }).subject === 'string' ? (env as { subject: string }).subject : undefined;
}

export function logPage(ctx: PageContext, q: LogQuery, events: readonly TimedRecord[], next: string | undefined): Html {
  const filters = { type: q.type, subject: q.subject };
  return layout(ctx, 'log', 'Log', html`<h1>Log <span class="dim">newest first</span></h1>
<form class="filters" method="get" action="${ctx.base}/log">
  <label>type<input name="type" value="${q.type ?? ''}" placeholder="shop.order.placed"></label>
  <label>subject<input name="subject" value="${q.subject ?? ''}" placeholder="order id"></label>
  <button type="submit">filter</button>
  ${q.cursor ? html`<a href="${ctx.base}/log${query(filters)}">newest</a>` : ''}
</form>
${events.length === 0 ? html`<p class="dim">no events on this page${next ? ' (a filter looks at a bounded stretch of the log per page: try older)' : ''}</p>` : html`<table id="events">
  <thead><tr><th>time</th><th>type</th><th>subject</th><th class="num">partition</th><th class="num">sequence</th><th>id</th></tr></thead>
  <tbody>${events.map((e) => html`<tr>
    <td class="nowrap">${isoMs(e.time)}</td><td>${e.type}</td><td>${subjectOf(e.body) ?? html`<span class="dim">-</span>`}</td>
    <td class="num">${e.partition}</td><td class="num">${e.sequence}</td>
    <td><a href="${ctx.base}/events/${encodeURIComponent(e.id)}">${e.id}</a></td></tr>`)}</tbody>
</table>`}
<div class="pager">${next ? html`<a id="older" href="${ctx.base}/log${query({ ...filters, cursor: next })}">older →</a>` : html`<span class="dim">start of the log</span>`}</div>`);
}

export function eventPageHtml(ctx: PageContext, e: LogRecord): Html {
  const subject = subjectOf(e.body);
  return layout(ctx, 'log', `Event ${e.id}`, html`<h1>Event <span class="dim">${e.id}</span></h1>
<p>${e.type} <span class="dim">from ${e.source}, partition ${e.partition}, sequence ${e.sequence}, key ${e.key}</span>
${ctx.flow ? html` · <a href="${ctx.base}/flow${query({ q: e.id })}">its flow</a>` : ''}
${subject !== undefined ? html` · <a href="${ctx.base}/log${query({ subject })}">events of ${subject}</a>` : ''}</p>
<pre id="envelope">${pretty(parseBody(e.body))}</pre>`);
}
