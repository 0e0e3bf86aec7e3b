/** The flaky-provider table: outside calls per event, effects stored, throughput. */
import type { SystemReport } from '../results.js';
import type { BenchSettings } from '../settings.js';
import { mb, ms, rate, ratio, renderTable } from '../table.js';
import { FLAKY_ATTEMPTS } from './scenario.js';

const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

export function renderFlaky(reports: SystemReport[], s: BenchSettings): string {
  const rows = reports.filter((r) => r.applies?.includes('flaky'));
  const factline = rows.filter((r) => r.kind === 'factline');
  const perSec = (r: SystemReport): number | undefined => (r.results.flaky?.ok ? r.results.flaky.value.perSec : undefined);
  const first = rows.map((r) => r.results.flaky).find((o) => o?.ok);
  const ideal = first?.ok ? first.value.calls.ideal / first.value.events : Number.NaN;
  const title =
    `Flaky provider: ${s.flakyEvents.toLocaleString('en-US')} events over ${Math.min(1000, s.flakyEvents).toLocaleString('en-US')} keys, one group; the handler's outside call waits 1 ms and fails on a seeded ` +
    `${s.flakyFailRate * 100} % of calls (seed ${s.flakySeed}), ${FLAKY_ATTEMPTS} attempts; ideal calls/event for this seed ${fixed(ideal, 4)}`;
  const headers = ['system', 'calls/event', 'max calls', 'called >1 %', 'extra calls', 'effects rows/distinct', 'ev/s', 'ev/s without failures', 'slowdown', 'complete', 'redeliveries', 'stalls >50 ms', 'latest tick', 'without failures: stalls / latest', 'peak RSS MB'];
  const table = rows.map((r) => {
    const o = r.results.flaky;
    const blank = headers.slice(2).map(() => '');
    if (r.unavailable) return [r.name, `not run: ${r.unavailable.slice(0, 80)}`, ...blank];
    if (!o) return [r.name, 'not run', ...blank];
    if (!o.ok) return [r.name, `error: ${o.error.slice(0, 80)}`, ...blank];
    const v = o.value;
    return [
      r.name,
      fixed(v.calls.mean, 4),
      String(v.calls.max),
      fixed(v.calls.multiPct, 2),
      String(v.calls.total - v.calls.ideal),
      `${v.effectRows}/${v.effectDistinct}`,
      rate(v.perSec),
      rate(v.control.perSec),
      `${fixed(v.slowdown, 2)}x`,
      v.complete ? 'yes' : 'NO',
      String(v.redeliveries),
      String(v.stalls.stalls),
      ms(v.stalls.maxLateMs),
      `${v.control.stalls.stalls} / ${ms(v.control.stalls.maxLateMs)}`,
      mb(v.peakRssMb),
      ...factline.map((f) => {
        const a = perSec(f);
        const b = perSec(r);
        return f === r ? '-' : ratio(a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
      }),
    ];
  });
  const retries = rows.flatMap((r) => (r.results.flaky?.ok ? [`  ${r.name}: ${r.results.flaky.value.retry}`] : []));
  const notes = [
    '"extra calls": calls beyond the ideal (each event called until its first success); "effects": rows written in the commit step (Factline) or in-memory marks (peers);',
    'ev/s: events whose effect is stored, from the group\'s start to the last one (events preloaded); stalls: the bench process\'s event loop meanwhile',
    '(a 10 ms interval timer more than 50 ms late; "latest tick": the worst); "without failures": the same pass with a provider that never fails, run first',
    'on a fresh topic; slowdown = its ev/s / the flaky ev/s. Retry used:',
    ...retries,
  ];
  return `${title}\n${renderTable([...headers, ...factline.map((f) => `${f.name} ratio`)], table)}\n${notes.join('\n')}`;
}
