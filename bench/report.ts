/**
 * Prints one table per scenario, each with Factline's ratio to every row, and a summary
 * of Factline's ratio to each peer. A ratio above 1 is always in Factline's favour:
 * throughput is Factline / peer, latency is peer / Factline.
 */
import { renderFlaky } from './flaky/report.js';
import type { Outcome, ScenarioResults, SystemReport } from './results.js';
import { renderSlowGroup } from './slow-group/report.js';
import { renderWorkflow } from './workflow/report.js';
import type { BenchSettings } from './settings.js';
import { mb, ms, rate, ratio, renderTable } from './table.js';

/** Keeps a table row readable; the full text is in the JSON results and the run log. */
function clip(text: string, max = 90): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function ok<T>(outcome: Outcome<T> | undefined): T | undefined {
  return outcome?.ok ? outcome.value : undefined;
}

interface Metric {
  label: string;
  value(r: ScenarioResults): number | undefined;
  higherIsBetter: boolean;
}

export const METRICS = {
  batched: { label: 'batched publish', value: (r) => ok(r.batched)?.perSec, higherIsBetter: true },
  oneInFlight: { label: 'one-in-flight publish', value: (r) => ok(r.oneInFlight)?.perSec, higherIsBetter: true },
  concurrent: { label: 'concurrent publish', value: (r) => ok(r.concurrent)?.perSec, higherIsBetter: true },
  fanOut: { label: 'fan-out slowest group', value: (r) => ok(r.fanOut)?.slowestPerSec, higherIsBetter: true },
  latencyP99: { label: 'latency p99', value: (r) => ok(r.latency)?.p99Ms, higherIsBetter: false },
  backlog: { label: 'backlog drain', value: (r) => ok(r.backlog)?.drainPerSec, higherIsBetter: true },
  flaky: { label: 'flaky provider ev/s', value: (r) => ok(r.flaky)?.perSec, higherIsBetter: true },
} satisfies Record<string, Metric>;

/** Factline's advantage over `peer` on `metric` (above 1 = Factline better), if both have a value. */
export function factlineRatio(factline: SystemReport, peer: SystemReport, metric: Metric): number | undefined {
  const f = metric.value(factline.results);
  const p = metric.value(peer.results);
  if (f === undefined || p === undefined || f <= 0 || p <= 0) return undefined;
  return metric.higherIsBetter ? f / p : p / f;
}

function ratioHeaders(factline: SystemReport[]): string[] {
  return factline.length > 0 ? factline.map((f) => `${f.name} ratio`) : ['Factline ratio'];
}

function ratioCells(row: SystemReport, factline: SystemReport[], metric: Metric): string[] {
  if (factline.length === 0) return ['-'];
  return factline.map((f) => (f === row ? '-' : ratio(factlineRatio(f, row, metric))));
}

function scenarioTable<K extends keyof ScenarioResults>(
  title: string,
  reports: SystemReport[],
  key: K,
  headers: string[],
  cells: (v: NonNullable<ScenarioResults[K]> extends Outcome<infer T> ? T : never) => string[],
  metric: Metric,
): string {
  const factline = reports.filter((r) => r.kind === 'factline');
  const rows = reports.map((r) => {
    const outcome = r.results[key];
    const blank = headers.map(() => '');
    if (r.unavailable) return [r.name, clip(`not run: ${r.unavailable}`), ...blank.slice(1)];
    if (!outcome) return [r.name, 'not run', ...blank.slice(1)];
    if (!outcome.ok) return [r.name, clip(`error: ${outcome.error}`), ...blank.slice(1)];
    const value = outcome.value as NonNullable<ScenarioResults[K]> extends Outcome<infer T> ? T : never;
    return [r.name, ...cells(value), ...ratioCells(r, factline, metric)];
  });
  return `${title}\n${renderTable(['system', ...headers, ...ratioHeaders(factline)], rows)}`;
}

/** Was scenario `key` to run for any system (selected with --only, or by default)? */
function planned(reports: SystemReport[], key: keyof ScenarioResults): boolean {
  return reports.some((r) => r.applies?.includes(key));
}

export function renderReport(reports: SystemReport[], s: BenchSettings): string {
  const out: string[] = [];
  const shown = (key: keyof ScenarioResults): boolean => planned(reports, key);
  out.push(
    `Systems\n${renderTable(
      ['system', 'durability (what a resolved publish means)', 'processed mark'],
      reports.map((r) => [r.name, r.durability, r.marks]),
    )}`,
  );
  if (shown('batched')) out.push(
    scenarioTable(`Batched durable publish: ${s.events.toLocaleString('en-US')} events, batches of ${s.batchSize}, ${s.groups} groups declared`, reports, 'batched', ['ev/s', 'peak RSS MB'], (v) => [rate(v.perSec), mb(v.peakRssMb)], METRICS.batched),
  );
  if (shown('oneInFlight')) out.push(
    scenarioTable(`One event per call, one call in flight: ${s.singles.toLocaleString('en-US')} events`, reports, 'oneInFlight', ['ev/s', 'peak RSS MB'], (v) => [rate(v.perSec), mb(v.peakRssMb)], METRICS.oneInFlight),
  );
  if (shown('concurrent')) out.push(
    scenarioTable(`One event per call, ${s.concurrency} calls in flight: ${s.singles.toLocaleString('en-US')} events`, reports, 'concurrent', ['ev/s', 'peak RSS MB'], (v) => [rate(v.perSec), mb(v.peakRssMb)], METRICS.concurrent),
  );
  if (shown('fanOut')) out.push(
    scenarioTable(
      `Fan-out: ${s.groups} groups each consume a ${s.events.toLocaleString('en-US')}-event backlog and mark it processed`,
      reports,
      'fanOut',
      ['slowest group ev/s', 'per group ev/s', 'complete', 'missing', 'duplicates', 'preload ev/s', 'peak RSS MB'],
      (v) => [
        rate(v.slowestPerSec),
        v.perGroup.map((g) => rate(g.perSec)).join(' / '),
        v.complete ? 'yes' : 'NO',
        String(v.perGroup.reduce((sum, g) => sum + g.missing, 0)),
        String(v.duplicates),
        rate(v.preloadPerSec),
        mb(v.peakRssMb),
      ],
      METRICS.fanOut,
    ),
  );
  if (shown('latency')) out.push(
    scenarioTable(
      `Latency: ${s.latencyRate.toLocaleString('en-US')} ev/s offered for ${s.latencySeconds} s, one group, publish call to handler start`,
      reports,
      'latency',
      ['p50', 'p99', 'max', 'received/sent', 'duplicates', 'saturated', 'peak RSS MB'],
      (v) => [ms(v.p50Ms), ms(v.p99Ms), ms(v.maxMs), `${v.received}/${v.sent}`, String(v.duplicates), v.saturated ? 'YES' : 'no', mb(v.peakRssMb)],
      METRICS.latencyP99,
    ),
  );
  if (shown('backlog')) {
    out.push(
      scenarioTable(
        `Backlog: ${s.backlog.toLocaleString('en-US')} events published, then drained by one group`,
        reports,
        'backlog',
        ['drain ev/s', 'drain time', 'complete', 'duplicates', 'publish ev/s', 'peak RSS MB'],
        (v) => [rate(v.drainPerSec), ms(v.drainMs), v.complete ? 'yes' : 'NO', String(v.duplicates), rate(v.publishPerSec), mb(v.peakRssMb)],
        METRICS.backlog,
      ),
    );
  }
  if (shown('flaky')) out.push(renderFlaky(reports, s));
  if (shown('slowGroup')) out.push(renderSlowGroup(reports, s));
  if (shown('workflow')) out.push(renderWorkflow(reports, s));
  out.push(renderFactlineRatios(reports));
  return out.join('\n\n');
}

/** Factline's ratio to each peer on every headline metric ("-" until a Factline system runs). */
export function renderFactlineRatios(reports: SystemReport[]): string {
  const factline = reports.filter((r) => r.kind === 'factline');
  const peers = reports.filter((r) => r.kind === 'peer');
  const metrics: Metric[] = (Object.keys(METRICS) as (keyof typeof METRICS)[])
    .filter((key) => planned(reports, key === 'latencyP99' ? 'latency' : key))
    .map((key) => METRICS[key]);
  const targets = factline.length > 0 ? factline : [undefined];
  return targets
    .map((f) => {
      const title = f
        ? `${f.name}: ratio to each peer, above 1 = ${f.name} better`
        : "Factline's ratio to each peer: no Factline system registered yet (bench/systems.ts)";
      const rows = metrics.map((m) => [m.label, ...peers.map((p) => (f ? ratio(factlineRatio(f, p, m)) : '-'))]);
      return `${title}\n${renderTable(['metric', ...peers.map((p) => p.name)], rows)}`;
    })
    .join('\n\n');
}
