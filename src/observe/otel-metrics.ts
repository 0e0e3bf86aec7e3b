import type * as Api from '@opentelemetry/api';
import type { Engine } from '../core/engine.js';
import { ATTR, DURATION_BUCKETS, METRIC, SYSTEM } from './semconv.js';
import type { RuntimeMetrics } from './telemetry.js';

/** The instruments the runtime records into as it goes. */
export interface Instruments extends RuntimeMetrics {
  sent(type: string, seconds: number, error: string | undefined): void;
  processed(group: string, type: string, partition: number, seconds: number, error: string | undefined): void;
}

/**
 * The conventions' counters and duration histograms, and Factline's own counters, on `meter`.
 * Attributes are low-cardinality only: group, event type, partition, error type.
 */
export function instruments(meter: Api.Meter): Instruments {
  const advice = { advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
  const sent = meter.createCounter(METRIC.sent, { unit: '{message}', description: 'Events published (stored, or failed to be)' });
  const consumed = meter.createCounter(METRIC.consumed, { unit: '{message}', description: 'Events handed to a handler: once per attempt' });
  const publishDuration = meter.createHistogram(METRIC.publishDuration, { unit: 's', description: 'Duration of a publish until the event is stored', ...advice });
  const processDuration = meter.createHistogram(METRIC.processDuration, { unit: 's', description: 'Duration of one handler attempt', ...advice });
  const retries = meter.createCounter(METRIC.retries, { unit: '{attempt}', description: 'Failed attempts that will be retried' });
  const deadLetters = meter.createCounter(METRIC.deadLetters, { unit: '{event}', description: 'Events that became dead letters' });
  return {
    sent(type, seconds, error) {
      const attrs = { [ATTR.system]: SYSTEM, [ATTR.operationName]: 'publish', [ATTR.destination]: type, ...(error ? { [ATTR.errorType]: error } : {}) };
      sent.add(1, attrs);
      publishDuration.record(seconds, attrs);
    },
    processed(group, type, partition, seconds, error) {
      const attrs = {
        [ATTR.system]: SYSTEM, [ATTR.operationName]: 'process', [ATTR.destination]: type, [ATTR.consumerGroup]: group,
        [ATTR.partition]: String(partition), ...(error ? { [ATTR.errorType]: error } : {}),
      };
      consumed.add(1, attrs);
      processDuration.record(seconds, attrs);
    },
    retried: (group, type) => retries.add(1, { [ATTR.consumerGroup]: group, [ATTR.destination]: type }),
    deadLettered: (group, type) => deadLetters.add(1, { [ATTR.consumerGroup]: group, [ATTR.destination]: type }),
  };
}

/**
 * Gauges read from the store when the metrics are collected (a scrape, an export): lag, parked
 * events and keys, events waiting for a retry per group and partition; open dead letters and the
 * age of the oldest per group. One status read and one dead-letter read per collection. Returns
 * the function that removes the callback.
 */
export function storeGauges(meter: Api.Meter, engine: Engine, now: () => number, onError: (err: unknown) => void): () => void {
  const lag = meter.createObservableGauge(METRIC.lag, { unit: '{event}', description: 'Events after the group\'s position (head minus position)' });
  const parkedEvents = meter.createObservableGauge(METRIC.parkedEvents, { unit: '{event}', description: 'Events of the group waiting in the parked table' });
  const parkedKeys = meter.createObservableGauge(METRIC.parkedKeys, { unit: '{key}', description: 'Keys held behind a retrying or dead-lettered event' });
  const retrying = meter.createObservableGauge(METRIC.retrying, { unit: '{event}', description: 'Events waiting for their next attempt' });
  const open = meter.createObservableGauge(METRIC.openDeadLetters, { unit: '{event}', description: 'Open dead letters' });
  const oldest = meter.createObservableGauge(METRIC.oldestDeadLetter, { unit: 's', description: 'Age of the oldest open dead letter' });
  const callback: Api.BatchObservableCallback = async (result) => {
    try {
      const [status, dead] = await Promise.all([engine.admin.status(), engine.admin.listDeadLetters({ status: 'open', limit: 1_000_000 })]);
      for (const s of status) {
        const attrs = { [ATTR.consumerGroup]: s.group, [ATTR.partition]: String(s.partition) };
        result.observe(lag, Math.max(0, s.head - s.position), attrs);
        result.observe(parkedEvents, s.parked, attrs);
        result.observe(parkedKeys, s.parkedKeys ?? 0, attrs);
        result.observe(retrying, s.retrying ?? 0, attrs);
      }
      const groups = new Set(status.map((s) => s.group));
      for (const d of dead) groups.add(d.group);
      for (const group of groups) {
        const mine = dead.filter((d) => d.group === group);
        result.observe(open, mine.length, { [ATTR.consumerGroup]: group });
        result.observe(oldest, mine.length ? (now() - Math.min(...mine.map((d) => d.createdAt))) / 1000 : 0, { [ATTR.consumerGroup]: group });
      }
    } catch (err) {
      onError(err);
    }
  };
  const observables = [lag, parkedEvents, parkedKeys, retrying, open, oldest];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
