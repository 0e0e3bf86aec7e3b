/**
 * The 1,000,000-event backlog, measured in processes of its own so that the drain's memory is
 * Factline's alone (the main bench process also holds the harness and every earlier scenario).
 *
 *   npm run bench:backlog [-- --events 1000000] [-- --engine sqlite|postgres]
 *
 * 1. a child process publishes the backlog (batches of 1,000) into a fresh log;
 * 2. a fresh child process starts one consumer group, drains the log and reports its peak RSS
 *    (sampled every 25 ms), the drain time, and how many events it handled.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const events = Number(flag('--events', '1000000'));
const engine = flag('--engine', 'sqlite');
const child = fileURLToPath(new URL('./child.ts', import.meta.url));
const target = engine === 'sqlite' ? `/tmp/factline-backlog-${process.pid}.db` : `backlog_${process.pid}`;

function run(role: 'publish' | 'drain'): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = fork(child, [role, engine, target, String(events)], { execArgv: ['--conditions=factline-source', '--import', 'tsx'] });
    p.on('message', (m) => resolve(m as Record<string, number>));
    p.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`${role} exited with ${code}`))));
  });
}

const published = await run('publish');
console.log(`published ${events.toLocaleString()} events into ${engine} at ${Math.round(published.perSecond!).toLocaleString()} ev/s`);
const drained = await run('drain');
console.log(
  `drained by one group: ${drained.handled!.toLocaleString()} events in ${(drained.ms! / 1000).toFixed(1)} s ` +
    `(${Math.round(drained.perSecond!).toLocaleString()} ev/s), peak RSS ${drained.peakRssMb!.toFixed(0)} MB (process at start: ${drained.startRssMb!.toFixed(0)} MB; ${drained.samples} samples)`,
);
