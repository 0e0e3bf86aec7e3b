import { age, duration } from './format.js';
import { html, query, type Html } from './html.js';
import { layout, type PageContext } from './layout.js';
import type { GroupView, Overview } from './overview.js';

const rate = (r: number | undefined) => (r === undefined ? '-' : `${r < 10 ? r.toFixed(1) : Math.round(r)}/s`);

function groupRow(ctx: PageContext, g: GroupView, now: number): Html {
  const oldestUnhandled = Math.min(...g.partitions.map((p) => p.oldestUnhandledAt ?? Infinity));
  return html`<tr class="${g.openDeadLetters > 0 ? 'alarm' : ''}" data-group="${g.group}">
  <td>${g.group}</td>
  <td class="num" data-field="lag">${g.lag}</td>
  <td class="num">${rate(g.throughput)}</td>
  <td class="num ${g.retryingKeys > 0 ? 'warn' : ''}" data-field="retrying">${g.retryingKeys}</td>
  <td class="num ${g.parkedKeys > 0 ? 'warn' : ''}" data-field="parked">${g.parkedKeys}</td>
  <td class="num">${Number.isFinite(oldestUnhandled) ? age(oldestUnhandled, now) : '-'}</td>
  <td class="num ${g.openDeadLetters > 0 ? 'bad' : ''}" data-field="open-dead-letters"><a href="${ctx.base}/dead-letters${query({ group: g.group, status: 'open' })}">${g.openDeadLetters}</a></td>
  <td class="num ${g.openDeadLetters > 0 ? 'bad' : ''}" data-field="oldest-dead-letter">${age(g.oldestOpenDeadLetterAt, now)}</td>
  <td>${g.members.length === 0 ? html`<span class="dim">none</span>` : g.members.map((m) => html`<div>${m.member} <span class="dim">(${m.partitions.length} partition${m.partitions.length === 1 ? '' : 's'})</span></div>`)}</td>
</tr>`;
}

/** Lag per group and partition in one matrix; a cell's title has its position, head, parked events and lease holder. */
function partitionMatrix(o: Overview): Html {
  const count = Math.max(0, ...o.groups.map((g) => g.partitions.length));
  const columns = Array.from({ length: count }, (_, i) => i);
  return html`<table id="partitions">
  <thead><tr><th>group</th>${columns.map((p) => html`<th class="num">p${p}</th>`)}</tr></thead>
  <tbody>${o.groups.map((g) => html`<tr><td>${g.group}</td>${columns.map((i) => {
    const p = g.partitions[i];
    if (!p) return html`<td class="num dim">-</td>`;
    const title = `partition ${p.partition}: position ${p.position}, head ${p.head}, ${p.parked} parked, lease ${p.owner ?? 'none'}${p.oldestUnhandledAt !== undefined ? `, oldest unhandled ${age(p.oldestUnhandledAt, o.at)}` : ''}`;
    return html`<td class="num ${p.lag > 0 || p.parked > 0 ? 'warn' : p.owner ? '' : 'dim'}" title="${title}">${p.lag}${p.parked > 0 ? html`<sup>${p.parked}p</sup>` : ''}</td>`;
  })}</tr>`)}</tbody>
</table>
<p class="dim">cells: events behind the head (parked events as <sup>Np</sup>); hover a cell for its position, head and lease holder; dim cells have no lease holder</p>`;
}

function retryingTable(o: Overview): Html {
  const rows = o.groups.flatMap((g) => g.retrying.map((r) => ({ g: g.group, r })));
  if (rows.length === 0) return html`<p class="dim">no key is retrying</p>`;
  return html`<table id="retrying">
    <thead><tr><th>group</th><th>key</th><th class="num">partition</th><th>event</th><th class="num">attempts</th><th>next attempt</th><th class="num">waiting behind</th><th>last error</th></tr></thead>
    <tbody>${rows.map(({ g, r }) => html`<tr><td>${g}</td><td>${r.key}</td><td class="num">${r.partition}</td><td>${r.type} <span class="dim">${r.eventId}</span></td><td class="num">${r.attempts}</td><td>${r.nextAttemptAt > o.at ? `in ${duration(r.nextAttemptAt - o.at)}` : 'due'}</td><td class="num">${r.waiting}</td><td class="trunc" title="${r.lastError ?? ''}">${r.lastError ?? '-'}</td></tr>`)}</tbody>
  </table>`;
}

/** The live part of the overview, also served alone for the refresh. */
export function overviewBody(ctx: PageContext, o: Overview): Html {
  const open = o.groups.reduce((n, g) => n + g.openDeadLetters, 0);
  const alarmed = o.groups.filter((g) => g.openDeadLetters > 0);
  return html`${o.alarm
    ? html`<div class="alarm-banner" id="alarm">ALARM: ${open} open dead letter${open === 1 ? '' : 's'} in ${alarmed.map((g, i) => html`${i > 0 ? ', ' : ''}<a href="${ctx.base}/dead-letters${query({ group: g.group, status: 'open' })}">${g.group}</a> (${g.openDeadLetters}, oldest ${age(g.oldestOpenDeadLetterAt, o.at)})`)}</div>`
    : html`<div class="ok-banner">no open dead letters</div>`}
<div class="cards">
  <div class="card"><div class="dim">events in the log</div><div class="big">${o.events}</div></div>
  <div class="card"><div class="dim">published</div><div class="big">${rate(o.publishRate)}</div></div>
  <div class="card"><div class="dim">consumer groups</div><div class="big">${o.groups.length}</div></div>
  <div class="card"><div class="dim">total lag</div><div class="big">${o.groups.reduce((n, g) => n + g.lag, 0)}</div></div>
  <div class="card"><div class="dim">open dead letters</div><div class="big ${open > 0 ? 'bad' : ''}">${open}</div></div>
</div>
<h2>Consumer groups</h2>
${o.groups.length === 0 ? html`<p class="dim">no consumer group has started on this log yet</p>` : html`<table id="groups">
  <thead><tr><th>group</th><th class="num">lag</th><th class="num">throughput</th><th class="num">retrying keys</th><th class="num">parked keys</th><th class="num">oldest unhandled</th><th class="num">open dead letters</th><th class="num">oldest dead letter</th><th>members (leases)</th></tr></thead>
  <tbody>${o.groups.map((g) => groupRow(ctx, g, o.at))}</tbody>
</table>`}
<h2>Lag per partition</h2>
${partitionMatrix(o)}
<h2>Retrying keys</h2>
${retryingTable(o)}
<p class="dim">${o.partitions} partitions · as of ${new Date(o.at).toISOString()}</p>`;
}

export function overviewPage(ctx: PageContext, o: Overview): Html {
  return layout(ctx, 'overview', 'Overview', html`<h1>Overview <span id="live-state" class="dim"></span></h1>
<section id="live" data-live="${ctx.base}/fragments/overview" data-every="2000">${overviewBody(ctx, o)}</section>`);
}
