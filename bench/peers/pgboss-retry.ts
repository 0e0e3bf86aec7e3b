/**
 * pg-boss's side of the flaky-provider scenario: a worker of its own fetching batches of up to
 * the in-flight limit; the batch's jobs are handled concurrently, and the failed ones are handed
 * to pg-boss's job retry with `boss.fail()` (pg-boss then completes only the jobs still active,
 * so one failure does not fail the whole batch). Retry settings are queue options, so every
 * bench queue is created with {@link PGBOSS_RETRY} (the other scenarios' handlers never fail).
 * pg-boss delays are whole seconds: 0 makes a failed job fetchable at once, and the worker's
 * 0.5 s polling is the real delay.
 */
import type PgBoss from 'pg-boss';
import type { GroupSink, RetryingGroupOptions } from '../system.js';
import { idOf } from '../workload.js';
import { EffectMarks, handleOnce } from './effect-marks.js';

export const PGBOSS_RETRY = { retryLimit: 4, retryDelay: 0, retryBackoff: false } as const;
const POLLING_SECONDS = 0.5;

export interface PgBossRetrying {
  readonly retry: string;
  readonly marks: EffectMarks;
}

export async function startPgBossRetrying(
  boss: PgBoss,
  queue: string,
  work: (id: string) => Promise<void>,
  sink: GroupSink,
  options: RetryingGroupOptions,
): Promise<PgBossRetrying> {
  if (options.attempts !== PGBOSS_RETRY.retryLimit + 1) throw new Error(`pg-boss queues retry ${PGBOSS_RETRY.retryLimit} times; asked for ${options.attempts} attempts`);
  const marks = new EffectMarks();
  await boss.work(queue, { batchSize: options.inFlight, pollingIntervalSeconds: POLLING_SECONDS }, async (jobs) => {
    const failed: string[] = [];
    await Promise.all(
      jobs.map(async (job) => {
        const id = idOf(job.data);
        sink.started(id);
        try {
          if ((await handleOnce(marks, id, work)) === 'done') sink.done(1);
        } catch {
          failed.push(job.id);
        }
      }),
    );
    if (failed.length > 0) await boss.fail(queue, failed);
  });
  return {
    retry: `pg-boss job retry: retryLimit ${PGBOSS_RETRY.retryLimit}, retryDelay 0 s (whole seconds only), failed jobs of a batch fail()ed one by one, batches of ${options.inFlight}, polling ${POLLING_SECONDS} s; no per-key order`,
    marks,
  };
}
