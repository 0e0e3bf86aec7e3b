/** The dashboard's stylesheet: a dark terminal-style theme and a light one. */
export const STYLE_CSS = `
:root {
  --bg: #0c0f0d; --panel: #131815; --line: #25302a; --fg: #d4e4d8; --dim: #7f9487; --accent: #5fd38d;
  --warn: #e5c07b; --bad: #ff6b6b; --bad-bg: #3a1416; --ok: #5fd38d; --link: #7cc7ff; --code: #0f1411;
  color-scheme: dark;
}
@media (prefers-color-scheme: light) {
  :root:not([data-theme="dark"]) {
    --bg: #f7f7f4; --panel: #ffffff; --line: #d9dcd6; --fg: #1d2420; --dim: #5f6b64; --accent: #17804a;
    --warn: #8a5a00; --bad: #b3261e; --bad-bg: #fde8e6; --ok: #17804a; --link: #0b5cad; --code: #f0f1ec;
    color-scheme: light;
  }
}
:root[data-theme="light"] {
  --bg: #f7f7f4; --panel: #ffffff; --line: #d9dcd6; --fg: #1d2420; --dim: #5f6b64; --accent: #17804a;
  --warn: #8a5a00; --bad: #b3261e; --bad-bg: #fde8e6; --ok: #17804a; --link: #0b5cad; --code: #f0f1ec;
  color-scheme: light;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--fg); }
body { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
header { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; padding: 8px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
header .brand { color: var(--accent); font-weight: bold; }
header nav a { margin-right: 12px; color: var(--fg); }
header nav a.here { color: var(--accent); border-bottom: 2px solid var(--accent); }
header .target { color: var(--dim); }
header .spacer { flex: 1; }
main { padding: 12px 16px 40px; max-width: 1400px; }
h1 { font-size: 15px; margin: 8px 0 12px; }
h2 { font-size: 13px; margin: 18px 0 8px; color: var(--dim); text-transform: uppercase; letter-spacing: .06em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--dim); font-weight: normal; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.alarm td { background: var(--bad-bg); }
.alarm-banner { border: 1px solid var(--bad); background: var(--bad-bg); color: var(--bad); padding: 8px 12px; margin-bottom: 12px; font-weight: bold; }
.ok-banner { border: 1px solid var(--line); color: var(--ok); padding: 8px 12px; margin-bottom: 12px; }
.bad { color: var(--bad); } .warn { color: var(--warn); } .ok { color: var(--ok); } .dim { color: var(--dim); }
.badge { display: inline-block; padding: 0 6px; border: 1px solid currentColor; border-radius: 3px; font-size: 11px; }
.panel { background: var(--panel); border: 1px solid var(--line); padding: 10px 12px; margin-bottom: 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 8px; margin-bottom: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); padding: 8px 10px; }
.card .big { font-size: 20px; }
pre { background: var(--code); border: 1px solid var(--line); padding: 8px; overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-word; margin: 4px 0 10px; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
label { color: var(--dim); display: inline-flex; flex-direction: column; gap: 2px; }
input, select, button { font: inherit; color: var(--fg); background: var(--code); border: 1px solid var(--line); padding: 4px 8px; }
input[type="search"] { min-width: 320px; }
button { cursor: pointer; }
button.primary { border-color: var(--accent); color: var(--accent); }
button.danger { border-color: var(--bad); color: var(--bad); }
button:disabled { opacity: .5; cursor: default; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0 12px; }
#notice { margin: 4px 0 8px; }
#notice:empty { display: none; }
.timeline { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
.timeline > li { position: relative; padding: 4px 0 10px 16px; }
.timeline > li::before { content: ""; position: absolute; left: -6px; top: 9px; width: 10px; height: 10px; border-radius: 50%; background: var(--accent); }
.timeline > li.stuck::before { background: var(--bad); }
.outcomes { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
.outcome { border: 1px solid var(--line); padding: 1px 6px; }
.outcome.handled { color: var(--ok); } .outcome.retrying, .outcome.parked, .outcome.not-reached { color: var(--warn); }
.outcome.dead-letter { color: var(--bad); border-color: var(--bad); }
.verdict { font-size: 14px; padding: 8px 12px; margin-bottom: 12px; border: 1px solid var(--line); }
.verdict.complete { color: var(--ok); border-color: var(--ok); }
.verdict.in-progress { color: var(--warn); border-color: var(--warn); }
.verdict.stuck { color: var(--bad); border-color: var(--bad); background: var(--bad-bg); }
.pager { display: flex; gap: 16px; margin: 8px 0; }
.nowrap { white-space: nowrap; }
.trunc { max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`;
