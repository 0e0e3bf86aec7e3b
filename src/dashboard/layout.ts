import { html, type Html } from './html.js';

/** What every page needs to know about the dashboard it is part of. */
export interface PageContext {
  /** The path prefix the dashboard is mounted at ('' at the root). */
  readonly base: string;
  /** Where the log is, with any password masked. */
  readonly target: string;
  /** Whether a token is configured: only then are replay and discard offered. */
  readonly writable: boolean;
  /** Whether the engine answers flow traces. */
  readonly flow: boolean;
}

export type Here = 'overview' | 'dead-letters' | 'flow' | 'log';

export function layout(ctx: PageContext, here: Here, title: string, body: Html): Html {
  const link = (page: Here, path: string, label: string) => html`<a href="${ctx.base}${path}" class="${page === here ? 'here' : ''}">${label}</a>`;
  return html`<!doctype html>
<html lang="en" data-base="${ctx.base}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Factline</title>
<link rel="stylesheet" href="${ctx.base}/assets/style.css">
<link rel="icon" href="${ctx.base}/favicon.ico">
<script src="${ctx.base}/assets/app.js" defer></script>
</head>
<body>
<header>
  <span class="brand">factline</span>
  <nav>${link('overview', '/', 'Overview')}${link('dead-letters', '/dead-letters', 'Dead letters')}${ctx.flow ? link('flow', '/flow', 'Flow') : ''}${link('log', '/log', 'Log')}</nav>
  <span class="target" title="the log this dashboard reads">${ctx.target}</span>
  <span class="spacer"></span>
  ${ctx.writable
    ? html`<form id="token-form" autocomplete="off"><input type="password" name="token" placeholder="token" aria-label="dashboard token" size="12"> <button type="submit">set</button> <span id="token-state" class="dim"></span></form>`
    : html`<span class="badge dim" title="start the dashboard with --token (or FACTLINE_DASHBOARD_TOKEN) to replay and discard">read-only</span>`}
  <button id="theme-toggle" type="button" title="switch between the dark and the light theme">theme</button>
</header>
<main>
<div id="notice" role="status"></div>
${body}
</main>
</body>
</html>`;
}

export function notFound(ctx: PageContext, here: Here, what: string): Html {
  return layout(ctx, here, 'Not found', html`<h1>Not found</h1><p class="bad">${what}</p>`);
}
