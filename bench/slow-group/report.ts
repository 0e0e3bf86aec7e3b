/** The slow-group tables: each run's numbers, then the ratios against the targets. */
import type { SystemReport } from '../results.js';
import type { BenchSettings } from '../settings.js';
import { ms, renderTable } from '../table.js';
import { STALL_MS } from './probe.js';
import type { SlowRun, SlowVariant } from './scenario.js';

const TARGET_RATIO = 2;

function runCells(run: SlowRun): string[] {
  const p = run.publish;
  const email = run.email ? `${run.email.calls}/${run.email.handled}` : '-';
  return [
    ms(p.p50Ms), ms(p.p99Ms), ms(p.maxMs), String(p.errors), String(p.stalls.stalls), ms(p.stalls.maxLateMs), ms(p.stalls.loopDelayMaxMs),
    ms(run.billing.p50Ms), ms(run.billing.p99Ms), ms(run.billing.maxMs), `${run.billing.committed}/${p.sent}`, email, String(run.consumerStalls.stalls), `${run.idleStalls.stalls} (${ms(run.idleStalls.maxLateMs)})`, run.complete ? 'yes' : 'NO',
  ];
}

function verdict(v: SlowVariant): string {
  const misses: string[] = [];
  if (!(v.publishP99Ratio <= TARGET_RATIO)) misses.push('publish p99');
  if (v.slow.publish.errors > 0 || v.control.publish.errors > 0) misses.push('publish errors');
  if (v.slow.publish.stalls.stalls > 0) misses.push('stalls');
  if (!(v.billingP99Ratio <= TARGET_RATIO)) misses.push('billing p99');
  if (!v.slow.complete || !v.control.complete) misses.push('incomplete');
  return misses.length === 0 ? 'all met' : `missed: ${misses.join(', ')}`;
}

export function renderSlowGroup(reports: SystemReport[], s: BenchSettings): string {
  const rows = reports.filter((r) => r.applies?.includes('slowGroup'));
  const title =
    `Slow group beside publishers: ${s.slowRate} ev/s published for ${s.slowSeconds} s; group email (effect handler, awaits ${s.slowEffectMs} ms per event) ` +
    'and group billing (store handler, a row per event); control = the same run without email';
  const headers = [
    'system', 'publisher', 'run', 'publish p50', 'p99', 'max', 'errors', `stalls >${STALL_MS} ms`, 'latest tick', 'loop delay max',
    'billing e2e p50', 'p99', 'max', 'billing committed', 'email calls/committed', 'consumer stalls', 'idle process stalls (latest)', 'complete',
  ];
  const blank = headers.slice(3).map(() => '');
  const detail: string[][] = [];
  const targets: string[][] = [];
  for (const r of rows) {
    const o = r.results.slowGroup;
    if (r.unavailable || !o?.ok) {
      const why = r.unavailable ? `not run: ${r.unavailable}` : o && !o.ok ? `error: ${o.error}` : 'not run';
      detail.push([r.name, why.slice(0, 90), '', ...blank]);
      continue;
    }
    for (const v of o.value.variants) {
      detail.push([r.name, v.publisher, 'control', ...runCells(v.control)]);
      detail.push([r.name, v.publisher, 'with email', ...runCells(v.slow)]);
      targets.push([
        r.name, v.publisher,
        `${v.publishP99Ratio.toFixed(2)}x`, String(v.slow.publish.errors), String(v.slow.publish.stalls.stalls),
        `${v.billingP99Ratio.toFixed(2)}x`, verdict(v),
      ]);
    }
  }
  const targetHeaders = ['system', 'publisher', `publish p99 ratio (<= ${TARGET_RATIO}x)`, 'publish errors (0)', `stalls >${STALL_MS} ms (0)`, `billing p99 ratio (<= ${TARGET_RATIO}x)`, 'targets'];
  const notes =
    'publish: app.publish() call to resolution; stalls: ticks of a 10 ms interval timer in the publishing process more than 50 ms late ("latest tick": the worst),\n' +
    'loop delay max: perf_hooks.monitorEventLoopDelay in that process; billing e2e: publish call to the commit of billing\'s row (onCommitted);\n' +
    'consumer stalls: the consuming process (the same one when the publisher is in it); idle process: one that only runs the same probe beside the run\n' +
    '(its stalls are the machine\'s: other work on the same cores or disk). Ratios: with email / control.';
  return `${title}\n${renderTable(headers, detail)}\n${notes}\n\nSlow group against the targets\n${renderTable(targetHeaders, targets)}`;
}
