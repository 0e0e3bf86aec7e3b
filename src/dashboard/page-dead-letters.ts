import type { DeadLetterRecord } from '../core/engine.js';
import { age, iso, parseBody, pretty } from './format.js';
import { html, query, type Html } from './html.js';
import { layout, type PageContext } from './layout.js';

export interface DeadLetterListQuery {
  readonly group?: string | undefined;
  readonly type?: string | undefined;
  readonly subject?: string | undefined;
  readonly status?: string | undefined;
}

function statusBadge(status: string): Html {
  return html`<span class="badge ${status === 'open' ? 'bad' : 'dim'}">${status}</span>`;
}

function replayGroupForm(ctx: PageContext, group: string, open: number): Html {
  if (!ctx.writable || open === 0) return html``;
  return html`<form class="actions" data-api="${ctx.base}/api/groups/${encodeURIComponent(group)}/replay" data-confirm="${`Replay all ${open} open dead letters of ${group} to ${group} only?`}">
  <input name="reason" placeholder="why (e.g. the fix deployed)" size="36" aria-label="why">
  <button class="primary" type="submit" id="replay-group">Replay all ${open} open of ${group}</button>
</form>`;
}

/** `groupOpen`: how many dead letters of the chosen group are open (all of them, not only those listed). */
export function deadLettersPage(ctx: PageContext, q: DeadLetterListQuery, list: readonly DeadLetterRecord[], groups: readonly string[], groupOpen: number, now: number, limit: number): Html {
  const open = list.filter((d) => d.status === 'open').length;
  return layout(ctx, 'dead-letters', 'Dead letters', html`<h1>Dead letters</h1>
<form class="filters" method="get" action="${ctx.base}/dead-letters">
  <label>group<select name="group"><option value="">any</option>${groups.map((g) => html`<option value="${g}" ${g === q.group ? html`selected` : ''}>${g}</option>`)}</select></label>
  <label>type<input name="type" value="${q.type ?? ''}" placeholder="shop.order.placed"></label>
  <label>subject<input name="subject" value="${q.subject ?? ''}" placeholder="order id"></label>
  <label>status<select name="status">${['', 'open', 'replayed', 'discarded'].map((s) => html`<option value="${s}" ${s === (q.status ?? '') ? html`selected` : ''}>${s || 'any'}</option>`)}</select></label>
  <button type="submit">filter</button>
</form>
${q.group ? replayGroupForm(ctx, q.group, groupOpen) : ''}
${list.length === 0 ? html`<p class="dim" id="dead-letter-count">no dead letters match</p>` : html`<p class="dim" id="dead-letter-count">${list.length} dead letter${list.length === 1 ? '' : 's'}, ${open} open${list.length >= limit ? ` (the first ${limit} shown: narrow the filter)` : ''}</p>
<table id="dead-letters">
  <thead><tr><th>created</th><th>age</th><th>group</th><th>type</th><th>subject</th><th>status</th><th class="num">attempts</th><th>reason</th></tr></thead>
  <tbody>${list.map((d) => html`<tr data-id="${d.id}">
    <td class="nowrap"><a href="${ctx.base}/dead-letters/${encodeURIComponent(d.id)}">${iso(d.createdAt)}</a></td>
    <td class="nowrap">${age(d.createdAt, now)}</td><td>${d.group}</td><td>${d.eventType}</td><td>${d.subject}</td><td>${statusBadge(d.status)}</td>
    <td class="num">${d.errors.length}</td><td class="trunc" title="${d.reason}">${d.reason}</td></tr>`)}</tbody>
</table>`}`);
}

export function deadLetterPage(ctx: PageContext, d: DeadLetterRecord, now: number): Html {
  const api = `${ctx.base}/api/dead-letters/${encodeURIComponent(d.id)}`;
  return layout(ctx, 'dead-letters', `Dead letter ${d.id}`, html`<h1>Dead letter <span class="dim">${d.id}</span> ${statusBadge(d.status)}</h1>
<div class="panel">
<table>
  <tr><th>group</th><td>${d.group}</td></tr>
  <tr><th>reason</th><td class="bad" id="reason">${d.reason}</td></tr>
  <tr><th>created</th><td>${iso(d.createdAt)} <span class="dim">(${age(d.createdAt, now)} ago)</span></td></tr>
  <tr><th>event</th><td>${d.eventType} <a href="${ctx.base}/events/${encodeURIComponent(d.eventId)}">${d.eventId}</a> <span class="dim">from ${d.eventSource}</span></td></tr>
  <tr><th>subject</th><td>${d.subject} <span class="dim">(key ${d.key}, partition ${d.partition}, sequence ${d.sequence})</span>${ctx.flow ? html` · <a href="${ctx.base}/flow${query({ q: d.subject })}">its flow</a>` : ''}</td></tr>
  <tr><th>strict</th><td>${d.strict ? 'yes: the key stays parked until this is replayed or discarded' : 'no: later events of the key went on'}</td></tr>
  ${d.resolvedAt !== undefined ? html`<tr><th>resolved</th><td>${d.status} ${iso(d.resolvedAt)} by ${d.resolvedBy ?? '?'}: ${d.resolution ?? ''}</td></tr>` : ''}
</table>
</div>
${ctx.writable && d.status === 'open' ? html`<div class="actions">
  <form data-api="${api}/replay" data-confirm="${`Replay this event to ${d.group} only?`}" class="actions">
    <input name="reason" placeholder="why (optional)" size="28" aria-label="why replayed">
    <button class="primary" type="submit" id="replay">Replay to ${d.group}</button>
  </form>
  <form data-api="${api}/discard" data-confirm="Discard this dead letter? The event will never run in this group." class="actions">
    <input name="reason" placeholder="why (required)" size="28" required aria-label="why discarded">
    <button class="danger" type="submit" id="discard">Discard</button>
  </form>
</div>` : ''}
<h2>Attempts (${d.errors.length})</h2>
${d.errors.map((e) => html`<div class="panel"><div>#${e.attempt} at ${iso(e.at)}: <span class="bad">${e.message}</span></div>${e.stack ? html`<pre>${e.stack}</pre>` : ''}</div>`)}
<h2>Status history</h2>
${d.history.length === 0 ? html`<p class="dim">open since ${iso(d.createdAt)}; never replayed or discarded</p>` : html`<table id="history">
  <thead><tr><th>at</th><th>action</th><th>by</th><th>why</th></tr></thead>
  <tbody><tr><td>${iso(d.createdAt)}</td><td>dead-lettered</td><td>${d.group}</td><td>${d.reason}</td></tr>${d.history.map((h) => html`<tr><td>${iso(h.at)}</td><td>${h.action}</td><td>${h.by}</td><td>${h.why}</td></tr>`)}</tbody>
</table>`}
<h2>Event</h2>
<pre id="envelope">${pretty(parseBody(d.body))}</pre>`);
}
