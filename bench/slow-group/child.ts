/**
 * The publishing process of the slow-group scenario's second variant: opens the same log as the
 * bench (the same SQLite file, or the same PostgreSQL schema), publishes at a steady rate, and
 * sends its measurements (publish latency, errors, event-loop stalls) back over IPC. It says
 * "ready" once its app has started and publishes when told "go", so that its start-up (compiling,
 * connecting) stays out of the measured window.
 *
 *   argv: <engine spec as JSON> <rate> <seconds> <warm-up events>
 */
import { createFactline } from 'factline';
import { errorText } from '../measure.js';
import { openEngine, type EngineSpec } from '../factline/engine-spec.js';
import { PARTITIONS } from '../factline/event.js';
import { countingLogger } from '../factline/logger.js';
import { publishSteadily } from './pacer.js';

const [specJson = '', rate = '', seconds = '', warm = '0'] = process.argv.slice(2);
const spec = JSON.parse(specJson) as EngineSpec;

function answer(message: object): void {
  if (process.send) process.send(message, () => process.exit(0));
  else process.exit(0);
}

try {
  const app = createFactline({ engine: openEngine(spec), source: 'bench/orders', partitions: PARTITIONS, logger: countingLogger('publisher process') });
  await app.start();
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.({ ready: true });
  });
  const stats = await publishSteadily(app, Number(rate), Number(seconds), Number(warm));
  await app.stop();
  answer({ ok: true, stats });
} catch (err) {
  answer({ ok: false, error: errorText(err) });
}
