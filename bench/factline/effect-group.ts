/**
 * Factline's side of the flaky-provider scenario: an effect handler makes the outside call with
 * no transaction open, and its commit step writes one row per event, committed with the event's
 * inbox row. A failed call is retried by the group's retry policy: the defaults (5 attempts,
 * doubling, 20 % jitter) with the first delay shortened to `retryMs`.
 */
import { createFactline, type Factline } from 'factline';
import type { GroupSink, RetryingGroupOptions } from '../system.js';
import { openEngine, rowsTable, type EngineSpec } from './engine-spec.js';
import { countingLogger } from './logger.js';
import { BenchOrderEvent, PARTITIONS } from './event.js';

export const EFFECTS_TABLE = 'bench_effects';

export async function createEffectsTable(app: Factline<unknown>, spec: EngineSpec): Promise<void> {
  await app.transaction((tx) => rowsTable(spec, EFFECTS_TABLE).create(tx.db));
}

export async function countEffects(app: Factline<unknown>, spec: EngineSpec): Promise<{ rows: number; distinct: number }> {
  return app.transaction((tx) => rowsTable(spec, EFFECTS_TABLE).count(tx.db));
}

/** Starts the group; returns the app (to stop) and the retry used, in words. */
export async function startEffectGroup(
  spec: EngineSpec,
  group: number,
  work: (id: string) => Promise<void>,
  sink: GroupSink,
  options: RetryingGroupOptions,
): Promise<{ app: Factline<unknown>; retry: string }> {
  const logger = countingLogger(`flaky group ${group}`);
  const app = createFactline({ engine: openEngine(spec), source: 'bench/orders', partitions: PARTITIONS, logger });
  const table = rowsTable(spec, EFFECTS_TABLE);
  const retry = { initialDelayMs: options.retryMs, attempts: options.attempts };
  app
    .consumer(`flaky-${group}`, { retry, onCommitted: ({ handled }) => handled > 0 && sink.done(handled) })
    .effect(BenchOrderEvent, async (event) => {
      sink.started(event.id);
      await work(event.id);
      return (c) => table.insert(c.db, event.id);
    });
  await app.start();
  const words = `effect(): retry { initialDelayMs: ${options.retryMs}, attempts: ${options.attempts} }, else defaults (x2, 20 % jitter); concurrency 16 x ${PARTITIONS} partitions`;
  return { app, retry: words };
}
