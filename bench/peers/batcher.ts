/**
 * Micro-batching for push-style consumers whose mark is written to a database: deliveries
 * queue up while one flush is in flight, and the next flush takes all of them, so the
 * batch size adapts to the load (one transaction per batch).
 */
import { errorText } from '../measure.js';

export class Batcher<T> {
  private pending: T[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 1_000,
  ) {}

  push(item: T): void {
    this.pending.push(item);
    this.flushing ??= this.drain();
  }

  /** Resolves once everything pushed so far is flushed. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const items = this.pending.splice(0, this.maxBatch);
        await this.flush(items).catch((err: unknown) => {
          console.error(`  mark batch failed: ${errorText(err)}`);
        });
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
