/**
 * A member whose only code is `await app.start()`: no timer, no server, nothing else keeps the
 * process alive. Prints {"ready":true} once started; stops on SIGTERM.
 */
import { createFactline } from '../../src/index.js';
import { CRASH_GROUP, CRASH_PARTITIONS, counterAdvanced } from './crash-event.js';
import { openChildStore } from './child-store.js';

const store = openChildStore();
const app = createFactline({ engine: store.engine, source: 'crash/standby', partitions: CRASH_PARTITIONS });
app.consumer(CRASH_GROUP, { leaseTtlMs: 60_000, heartbeatMs: 200 }).on(counterAdvanced, () => undefined);
process.once('SIGTERM', () => void app.stop());
await app.start();
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
