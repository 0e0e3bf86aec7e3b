/**
 * The raw logs' consumer whose handler awaits outside work (sqlite-log, pg-log): a raw log has
 * no redelivery of its own, so the group reads at most `inFlight` rows past its cursor, handles
 * them concurrently, retries a failed call in the handler (`attempts` calls at most, `retryMs`
 * doubling between them), and only then commits the batch's marks and its cursor together and
 * reads the next batch: the slowest event of a batch holds the whole batch back.
 */
import { sleep } from '../measure.js';
import type { GroupSink, RetryingGroupOptions } from '../system.js';
import { doubling, EffectMarks, handleOnce } from './effect-marks.js';

/** Handles one read batch; resolves with the events whose effect was stored (not given up, not skipped). */
export async function handleLogBatch(
  ids: readonly string[],
  marks: EffectMarks,
  work: (id: string) => Promise<void>,
  sink: GroupSink,
  options: RetryingGroupOptions,
): Promise<number> {
  const outcomes = await Promise.all(
    ids.map(async (id) => {
      sink.started(id);
      for (let attempt = 1; ; attempt++) {
        try {
          return await handleOnce(marks, id, work);
        } catch {
          if (attempt >= options.attempts) return 'given up';
          await sleep(doubling(options.retryMs, attempt));
        }
      }
    }),
  );
  return outcomes.filter((outcome) => outcome === 'done').length;
}

export function logRetryWords(options: RetryingGroupOptions): string {
  return (
    `retry in the handler (no redelivery in a raw log): ${options.attempts} calls at most, ${options.retryMs} ms doubling; ` +
    `read batches of ${options.inFlight} rows handled concurrently, then marks + cursor committed; no per-key order`
  );
}
