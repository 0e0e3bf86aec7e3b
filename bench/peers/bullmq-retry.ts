/**
 * BullMQ's side of the flaky-provider scenario: a Worker of its own (concurrency = the in-flight
 * limit) whose processor throws when the call fails; BullMQ's job retry does the rest. Its
 * attempts and backoff are job options, fixed when a job is added, so every bench queue adds jobs
 * with {@link BULL_RETRY} (the other scenarios' handlers never fail, so it changes nothing there).
 */
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { errorText } from '../measure.js';
import type { GroupSink, RetryingGroupOptions } from '../system.js';
import { idOf } from '../workload.js';
import { EffectMarks, handleOnce } from './effect-marks.js';

export const BULL_RETRY = { attempts: 5, backoff: { type: 'exponential', delay: 20 } } as const;

export interface BullRetrying {
  readonly retry: string;
  readonly marks: EffectMarks;
  readonly worker: Worker;
}

export async function startBullRetrying(
  name: string,
  connection: Redis,
  prefix: string,
  work: (id: string) => Promise<void>,
  sink: GroupSink,
  options: RetryingGroupOptions,
): Promise<BullRetrying> {
  if (options.attempts !== BULL_RETRY.attempts || options.retryMs !== BULL_RETRY.backoff.delay) {
    throw new Error(`bullmq: jobs are added with attempts ${BULL_RETRY.attempts} and backoff ${BULL_RETRY.backoff.delay} ms (bench/peers/bullmq-retry.ts); asked for ${options.attempts} and ${options.retryMs} ms`);
  }
  const marks = new EffectMarks();
  const worker = new Worker(
    name,
    async (job) => {
      const id = idOf(job.data);
      sink.started(id);
      if ((await handleOnce(marks, id, work)) === 'done') sink.done(1);
    },
    { connection, prefix, concurrency: options.inFlight },
  );
  worker.on('error', (err) => console.error(`  bullmq retrying worker: ${errorText(err)}`));
  await worker.waitUntilReady();
  return {
    retry: `BullMQ job retry: attempts ${BULL_RETRY.attempts}, exponential backoff from ${BULL_RETRY.backoff.delay} ms (delayed jobs), worker concurrency ${options.inFlight}; no per-key order`,
    marks,
    worker,
  };
}
