/**
 * A process that does nothing but measure its own event-loop stalls, run beside each slow-group
 * run: stalls it sees too come from the machine (other processes on the same cores, the disk),
 * not from the code under test.
 *
 * As a child: says "ready", measures until told "stop", answers with its StallStats.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StallProbe, type StallStats } from './probe.js';

export interface IdleProbe {
  stop(): Promise<StallStats>;
}

/** Starts the idle process; resolves once it measures. */
export function startIdleProbe(): Promise<IdleProbe> {
  const p = fork(fileURLToPath(import.meta.url), ['--idle-probe'], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('message', () =>
      resolve({
        stop: () =>
          new Promise<StallStats>((done, fail) => {
            p.once('message', (stats) => done(stats as StallStats));
            p.once('exit', (code) => fail(new Error(`idle probe exited with ${code}`)));
            p.send('stop');
          }),
      }),
    );
  });
}

if (process.argv.includes('--idle-probe') && process.send) {
  const probe = new StallProbe();
  // The bench ended (or failed) without asking: nothing to report to.
  process.once('disconnect', () => process.exit(0));
  process.on('message', () => {
    process.send?.(probe.stop(), () => process.disconnect());
  });
  process.send('ready');
}
