/**
 * A consumer member for the graceful-shutdown test: `createFactline({ stopOnSignals })` on the
 * SQLite file in SIGNAL_FILE, with a lease far longer than the test. Its handler writes a row
 * through ctx.db; the event with n = 1 is slow on purpose (400 ms), so that SIGTERM arrives while
 * it runs. Prints {"ready":true,"member":...} once started and {"handling":n} as each handler
 * starts. With SIGNAL_OPTION=off it installs nothing: a plain process that dies on SIGTERM.
 */
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { memoryLogger } from '../../src/testing/helpers.js';
import { TestPlaced } from '../../src/testing/fixtures.js';

const app = createFactline({
  engine: sqliteEngine({ file: process.env.SIGNAL_FILE! }),
  source: 'test/signals',
  partitions: 4,
  logger: memoryLogger(),
  stopOnSignals: process.env.SIGNAL_OPTION === 'off' ? false : true,
});
await app.transaction(async (tx) => void tx.db.exec('create table if not exists handled (n integer not null)'));
app.consumer('g', { leaseTtlMs: 60_000, heartbeatMs: 200, pollMs: 20 }).on(TestPlaced, async (event, ctx) => {
  process.stdout.write(`${JSON.stringify({ handling: event.data.n })}\n`);
  if (event.data.n === 1) await new Promise((r) => setTimeout(r, 400));
  ctx.db.prepare('insert into handled (n) values (?)').run(event.data.n);
});
await app.start();
process.stdout.write(`${JSON.stringify({ ready: true, partitions: app.assignments().g })}\n`);
