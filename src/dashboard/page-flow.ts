import type { FlowOutcome, FlowTrace } from '../core/trace.js';
import { age, duration, iso } from './format.js';
import { html, query, type Html } from './html.js';
import { layout, type PageContext } from './layout.js';

function outcome(ctx: PageContext, o: FlowOutcome, now: number): Html {
  switch (o.state) {
    case 'handled':
      return html`<span class="outcome handled" data-group="${o.group}" data-state="handled">${o.group}: handled${o.attempts !== undefined && o.attempts > 1 ? ` after ${o.attempts} attempts` : ''}${o.durationMs !== undefined ? ` in ${duration(o.durationMs)}` : ''}</span>`;
    case 'retrying':
      return html`<span class="outcome retrying" data-group="${o.group}" data-state="retrying" title="${o.lastError ?? ''}">${o.group}: retrying (attempt ${o.attempts}, next ${o.nextAttemptAt > now ? `in ${duration(o.nextAttemptAt - now)}` : 'due'})</span>`;
    case 'parked':
      return html`<span class="outcome parked" data-group="${o.group}" data-state="parked" title="${o.reason ?? ''}">${o.group}: parked${o.behind ? html` behind <a href="${ctx.base}/events/${encodeURIComponent(o.behind.eventId)}">#${o.behind.sequence}</a>` : ''}</span>`;
    case 'dead-letter':
      return html`<span class="outcome dead-letter" data-status="${o.status ?? 'open'}" data-group="${o.group}" data-state="dead-letter"><a href="${ctx.base}/dead-letters/${encodeURIComponent(o.deadLetterId)}">${o.group}: ${o.status === 'discarded' ? 'dead letter, discarded' : 'dead letter'}</a> for ${age(o.since, now)}: ${o.reason}</span>`;
    case 'not-reached':
      return html`<span class="outcome not-reached" data-group="${o.group}" data-state="not-reached">${o.group}: not reached (${o.behind} before it)</span>`;
    case 'no-handler':
      return html`<span class="outcome dim" data-state="no-handler">no group handles it</span>`;
  }
}

export function flowPage(ctx: PageContext, q: string, t: FlowTrace | undefined, now = Date.now()): Html {
  return layout(ctx, 'flow', q ? `Flow ${q}` : 'Flow', html`<h1>Flow</h1>
<form class="filters" method="get" action="${ctx.base}/flow">
  <label>order id (subject), correlation id or event id<input type="search" name="q" value="${q}" autofocus></label>
  <button type="submit">trace</button>
</form>
${t === undefined ? html`<p class="dim">Every event of the flow and every consumer group's outcome for each, with a verdict: complete, in progress or stuck (and where).</p>` : html`
<div class="verdict ${t.verdict.state}" id="verdict" data-state="${t.verdict.state}">
  <strong>${t.verdict.state}</strong>: ${t.verdict.summary.startsWith(`${t.verdict.state}: `) ? t.verdict.summary.slice(t.verdict.state.length + 2) : t.verdict.summary}
  ${t.verdict.where ? html`<div class="dim">at <a href="${ctx.base}/events/${encodeURIComponent(t.verdict.where.eventId)}">${t.verdict.where.eventId}</a> in ${t.verdict.where.group}${t.verdict.since !== undefined ? ` for ${age(t.verdict.since, now)}` : ''}</div>` : ''}
</div>
<p class="dim">matched by ${t.matched}; ${t.events.length} event${t.events.length === 1 ? '' : 's'}</p>
${t.notes.map((n) => html`<p class="warn">${n}</p>`)}
<ol class="timeline" id="timeline">${t.events.map((e) => html`<li class="${e.outcomes.some((o) => o.state === 'dead-letter' || o.state === 'parked' || o.state === 'retrying') ? 'stuck' : ''}" data-event="${e.id}">
  <div><span class="dim">${iso(Date.parse(e.time))}</span> <strong>${e.type}</strong> ${e.subject ?? ''} <a href="${ctx.base}/events/${encodeURIComponent(e.id)}" class="dim">${e.id}</a></div>
  <div class="dim">from ${e.source} · partition ${e.partition} #${e.sequence}${e.causationId ? html` · caused by <a href="${ctx.base}/flow${query({ q: e.causationId })}">${e.causationId}</a>` : ''}</div>
  <div class="outcomes">${e.outcomes.map((o) => outcome(ctx, o, now))}</div>
</li>`)}</ol>`}`);
}
