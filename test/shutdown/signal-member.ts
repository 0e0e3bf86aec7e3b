/**
 * A process with two Factline apps for the graceful-shutdown test, both created with
 * `createFactline({ stopOnSignals })` on the SQLite file in SIGNAL_FILE, with leases far longer
 * than the test: group g's handler writes a row through ctx.db, and is slow (400 ms) for the event
 * with n = 1, so that SIGTERM arrives while it runs; group h, in the second app, handles the same
 * events at once. Prints {"ready":true} once both started and {"handling":n} as g's handlers
 * start. With SIGNAL_OPTION=off it installs nothing: a plain process that dies on SIGTERM.
 */
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { memoryLogger } from '../../src/testing/helpers.js';
import { TestPlaced } from '../../src/testing/fixtures.js';

const stopOnSignals = process.env.SIGNAL_OPTION !== 'off';
const app = (group: string) => {
  const a = createFactline({ engine: sqliteEngine({ file: process.env.SIGNAL_FILE! }), source: 'test/signals', partitions: 4, logger: memoryLogger(), stopOnSignals });
  return { app: a, group: a.consumer(group, { leaseTtlMs: 60_000, heartbeatMs: 200, pollMs: 20 }) };
};
const first = app('g');
const second = app('h');
await first.app.transaction(async (tx) => void tx.db.exec('create table if not exists handled (grp text not null, n integer not null)'));
first.group.on(TestPlaced, async (event, ctx) => {
  process.stdout.write(`${JSON.stringify({ handling: event.data.n })}\n`);
  if (event.data.n === 1) await new Promise((r) => setTimeout(r, 400));
  ctx.db.prepare("insert into handled (grp, n) values ('g', ?)").run(event.data.n);
});
second.group.on(TestPlaced, (event, ctx) => void ctx.db.prepare("insert into handled (grp, n) values ('h', ?)").run(event.data.n));
await first.app.start();
await second.app.start();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
