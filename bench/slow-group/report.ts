/** The slow-group tables: each run's numbers, then the ratios against the targets; Factline and the peers in the same tables. */
import type { SystemReport } from '../results.js';
import type { BenchSettings } from '../settings.js';
import { ms, renderTable } from '../table.js';
import { STALL_MS } from './probe.js';
import type { SlowGroupResult, SlowRun, SlowVariant } from './scenario.js';

const TARGET_RATIO = 2;

const times = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-');

function runCells(run: SlowRun, toCommit: boolean): string[] {
  const p = run.publish;
  const email = run.email ? `${run.email.calls}/${run.email.handled}` : '-';
  const commit = toCommit ? [ms(run.billing.p50Ms), ms(run.billing.p99Ms), ms(run.billing.maxMs)] : ['-', '-', '-'];
  return [
    ms(p.p50Ms), ms(p.p99Ms), ms(p.maxMs), String(p.errors), String(p.stalls.stalls), ms(p.stalls.maxLateMs), ms(p.stalls.loopDelayMaxMs),
    ms(run.billingStart.p50Ms), ms(run.billingStart.p99Ms), ms(run.billingStart.maxMs), ...commit, `${run.billing.committed}/${p.sent}`,
    email, run.email ? String(run.email.maxInFlight) : '-', String(run.consumerStalls.stalls), `${run.idleStalls.stalls} (${ms(run.idleStalls.maxLateMs)})`, run.complete ? 'yes' : 'NO',
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
  const needed = Math.ceil((s.slowRate * s.slowEffectMs) / 1000);
  const title =
    `Slow group beside publishers: ${s.slowRate} ev/s published for ${s.slowWarmSeconds} + ${s.slowSeconds} s (the first ${s.slowWarmSeconds} s, a fresh log's warm-up, left out of every percentile); group email (awaits ${s.slowEffectMs} ms per event, ` +
    `so it needs ${needed} calls in flight to keep up) and group billing (a row or processed mark per event); control = the same run without email`;
  const headers = [
    'system', 'publisher', 'run', 'publish p50', 'p99', 'max', 'errors', `stalls >${STALL_MS} ms`, 'latest tick', 'loop delay max',
    'billing to start p50', 'p99', 'max', 'billing to commit p50', 'p99', 'max', 'billing committed', 'email calls/committed', 'email in flight max',
    'consumer stalls', 'idle process stalls (latest)', 'complete',
  ];
  const blank = headers.slice(3).map(() => '');
  const detail: string[][] = [];
  const targets: string[][] = [];
  const consumed: string[] = [];
  for (const r of rows) {
    const o = r.results.slowGroup;
    if (r.unavailable || !o?.ok) {
      const why = r.unavailable ? `not run: ${r.unavailable}` : o && !o.ok ? `error: ${o.error}` : 'not run';
      detail.push([r.name, why.slice(0, 90), '', ...blank]);
      targets.push([r.name, why.slice(0, 90)]);
      continue;
    }
    const result: SlowGroupResult = o.value;
    const toCommit = result.billingTo === 'commit';
    consumed.push(`  ${r.name}: ${result.emailGroup}`);
    for (const v of result.variants) {
      detail.push([r.name, v.publisher, 'control', ...runCells(v.control, toCommit)]);
      detail.push([r.name, v.publisher, 'with email', ...runCells(v.slow, toCommit)]);
      targets.push([
        r.name, v.publisher,
        times(v.publishP99Ratio), String(v.slow.publish.errors), String(v.slow.publish.stalls.stalls),
        toCommit ? times(v.billingP99Ratio) : '-', times(v.billingStartP99Ratio), v.slow.email ? String(v.slow.email.maxInFlight) : '-', verdict(v),
      ]);
    }
  }
  const targetHeaders = [
    'system', 'publisher', `publish p99 ratio (<= ${TARGET_RATIO}x)`, 'publish errors (0)', `stalls >${STALL_MS} ms (0)`,
    `billing p99 ratio to commit (<= ${TARGET_RATIO}x)`, 'to handler start', `email in flight max (needs ${needed})`, 'targets',
  ];
  const notes = [
    'publish: the call to its resolution (Factline: app.publish(); a peer: topic.publishOne(), from the same pacer); stalls: ticks of a 10 ms interval timer',
    'in the publishing process more than 50 ms late ("latest tick": the worst); loop delay max: perf_hooks.monitorEventLoopDelay in that process;',
    'billing to start: publish call to the start of billing\'s handler (first delivery), every system; billing to commit: publish call to the commit of',
    'billing\'s row (onCommitted), Factline only (a peer reports which deliveries are durable only as counts); the billing target is on the commit for',
    'Factline, on the handler start for a peer. Consumer stalls: the consuming process (the same one when the publisher is in it); idle process: one that',
    'only runs the same probe beside the run (its stalls are the machine\'s: other work on the same cores or disk). Ratios: with email / control.',
    'Peers run the same-process variant only: the child-process variant is where Factline shares a file or schema between processes; a peer\'s publisher',
    'in another process shares only the server. A peer\'s control declares the email group too (a peer with a queue per group gets its jobs, unconsumed).',
    'The email group, as each system consumes it:',
    ...consumed,
  ];
  return `${title}\n${renderTable(headers, detail)}\n${notes.join('\n')}\n\nSlow group against the targets\n${renderTable(targetHeaders, targets)}`;
}
