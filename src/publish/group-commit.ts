import type { NewEvent, StoredEvent } from '../core/envelope.js';

interface Waiting {
  readonly events: readonly NewEvent[];
  resolve(stored: StoredEvent[]): void;
  reject(err: unknown): void;
}

/**
 * Group commit: publishes that arrive while a commit is running are appended together in the
 * next one, so N concurrent publishes cost one transaction (one fsync), not N.
 * Every caller's promise resolves only after its events are durable; if the shared transaction
 * fails, every caller in it gets the error and none of their events is stored.
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  private running = false;

  constructor(
    private readonly append: (events: readonly NewEvent[]) => Promise<StoredEvent[]>,
    private readonly maxBatch = 5000,
  ) {}

  submit(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Waiting[] = [];
      let count = 0;
      while (this.queue.length > 0 && (batch.length === 0 || count + this.queue[0]!.events.length <= this.maxBatch)) {
        const next = this.queue.shift()!;
        batch.push(next);
        count += next.events.length;
      }
      try {
        const stored = await this.append(batch.flatMap((w) => w.events));
        let offset = 0;
        for (const w of batch) {
          w.resolve(stored.slice(offset, offset + w.events.length));
          offset += w.events.length;
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.running = false;
  }
}
