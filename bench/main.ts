/**
 * `npm run bench`: the canonical workload against every registered system.
 *
 *   --quick            smaller N and shorter latency run (the whole bench in about 2 minutes)
 *   --only a,b         only the named systems and/or scenarios (batched, one-in-flight, concurrent,
 *                      fan-out, latency, backlog, flaky, slow-group, workflow), e.g. --only flaky,slow-group
 *   --json path        where to write the JSON results (default bench/results/<timestamp>.json)
 *   --runs n           repeat every scenario n times and report the median run (default 1)
 *   --events n         N for batched publish and fan-out
 *   --backlog[=n]      also drain a backlog of n events (default 1,000,000) with one group
 *   --flaky-events n   events of the flaky-provider scenario (default 10,000; --quick 2,000)
 *   --slow-seconds n   seconds of publishing measured in each slow-group run, after a warm-up of 2 s
 *                      (--quick 0.5 s) left out of the percentiles (default 20; --quick 3)
 *   --tracing          OpenTelemetry tracing on (the SDK with a span exporter that drops spans), to
 *                      state what spans cost, e.g. --only factline-sqlite,latency,fan-out --tracing
 *   --list             print the registered systems and exit
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig } from './config.js';
import { errorText } from './measure.js';
import { renderReport } from './report.js';
import type { SystemReport } from './results.js';
import { runSystem, SCENARIO_NAMES, supports, teardownOnce, type ScenarioName } from './run.js';
import { FULL, QUICK, type BenchSettings } from './settings.js';
import type { BenchSystem } from './system.js';
import { allSystems } from './systems.js';

interface Args {
  settings: BenchSettings;
  quick: boolean;
  only: string[] | undefined;
  json: string | undefined;
  runs: number;
  list: boolean;
  tracing: boolean;
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${value ?? 'nothing'}`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const args: Args = { settings: { ...(quick ? QUICK : FULL) }, quick, only: undefined, json: undefined, runs: 1, list: false, tracing: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] ?? '').split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        break;
      case '--only':
        args.only = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--json':
        args.json = value();
        break;
      case '--runs':
        args.runs = positiveInt(flag, value());
        break;
      case '--events':
        args.settings.events = positiveInt(flag, value());
        break;
      case '--flaky-events':
        args.settings.flakyEvents = positiveInt(flag, value());
        break;
      case '--slow-seconds':
        args.settings.slowSeconds = positiveInt(flag, value());
        break;
      case '--backlog':
        args.settings.backlog = inline === undefined ? 1_000_000 : positiveInt(flag, inline);
        break;
      case '--list':
        args.list = true;
        break;
      case '--tracing':
        args.tracing = true;
        break;
      default:
        throw new Error(`unknown argument ${flag} (see the top of bench/main.ts)`);
    }
  }
  return args;
}

function defaultJsonPath(startedAt: Date): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, 'results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const cfg = benchConfig(startedAt);
  let systems = allSystems(cfg);
  if (args.list) {
    for (const s of systems) console.log(`${s.name.padEnd(20)} ${s.kind}`);
    return;
  }
  // --only names systems, scenarios, or both: each list, when given, narrows the run.
  let scenarios: Set<ScenarioName> | undefined;
  if (args.only) {
    const byCli = new Map(Object.entries(SCENARIO_NAMES).map(([key, cli]) => [cli, key as ScenarioName]));
    const unknown = args.only.filter((name) => !byCli.has(name) && !systems.some((s) => s.name === name));
    if (unknown.length > 0) {
      throw new Error(`unknown system(s) or scenario(s): ${unknown.join(', ')}; systems: ${systems.map((s) => s.name).join(', ')}; scenarios: ${[...byCli.keys()].join(', ')}`);
    }
    const named = args.only.filter((name) => !byCli.has(name));
    if (named.length > 0) systems = systems.filter((s) => named.includes(s.name));
    const picked = args.only.flatMap((name) => byCli.get(name) ?? []);
    if (picked.length > 0) {
      scenarios = new Set(picked);
      if (scenarios.has('backlog') && args.settings.backlog === 0) args.settings.backlog = 1_000_000;
      systems = systems.filter((system) => picked.some((name) => supports(system, name)));
    }
  }

  // A client library's stray rejection (e.g. a fire-and-forget call failing during
  // cleanup) is reported, not fatal: one system must never end the whole run.
  process.on('unhandledRejection', (err) => console.error(`  unhandled rejection: ${errorText(err)}`));

  // Ctrl-C: tear the running system down (restoring any server setting), then exit.
  let current: BenchSystem | undefined;
  let interrupted: Promise<never> | undefined;
  process.once('SIGINT', () => {
    console.error('\ninterrupted: cleaning up the running system');
    const cleanup = current ? teardownOnce(current) : Promise.resolve();
    interrupted = cleanup.then(() => process.exit(130));
  });

  const tracing = args.tracing ? (await import('./tracing.js')).enableTracing() : undefined;
  const s = args.settings;
  console.log(`factline bench${args.quick ? ' --quick' : ''}${tracing ? ' --tracing' : ''}: run ${cfg.runId}, N=${s.events}, ${s.groups} groups, latency ${s.latencyRate} ev/s x ${s.latencySeconds} s, ${args.runs} run(s)`);
  console.log(`  flaky: ${s.flakyEvents} events, ${s.flakyFailRate * 100} % failures (seed ${s.flakySeed}), first retry ${s.flakyRetryMs} ms; slow group: ${s.slowRate} ev/s x (${s.slowWarmSeconds} s warm-up + ${s.slowSeconds} s), effect ${s.slowEffectMs} ms${scenarios ? `; scenarios: ${[...scenarios].map((k) => SCENARIO_NAMES[k]).join(', ')}` : ''}`);
  const reports: SystemReport[] = [];
  for (const system of systems) {
    current = system;
    console.log(`${system.name}:`);
    reports.push(await runSystem(system, s, args.runs, scenarios));
    if (interrupted) await interrupted;
  }
  current = undefined;
  if (tracing) {
    await tracing.shutdown();
    console.log(`tracing: ${tracing.exporter.exported} spans made and dropped by the exporter`);
  }

  console.log(`\n${renderReport(reports, s)}\n`);
  const path = args.json ?? defaultJsonPath(startedAt);
  mkdirSync(dirname(path), { recursive: true });
  const host = { node: process.version, platform: process.platform, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMb: Math.round(totalmem() / 2 ** 20) };
  const finishedAt = new Date();
  writeFileSync(path, JSON.stringify({ startedAt, finishedAt, runId: cfg.runId, host, quick: args.quick, tracing: args.tracing, runs: args.runs, settings: s, systems: reports }, null, 2));
  console.log(`results: ${path} (${Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000)} s)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${errorText(err)}`);
    process.exit(1);
  },
);
