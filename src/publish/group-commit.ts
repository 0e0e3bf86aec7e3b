import type { NewEvent, StoredEvent } from '../core/envelope.js';

interface Waiting {
  readonly events: readonly NewEvent[];
  resolve(stored: StoredEvent[]): void;
  reject(err: unknown): void;
}

/**
 * Group commit: publishes that arrive while a commit is running are appended together in the
 * next one, so N concurrent publishes cost one transaction (one fsync), not N.
 * Every caller's promise resolves only after its events are durable. If the shared transaction
 * fails, each caller's events are appended again in a transaction of their own, so one bad publish
 * fails alone and its neighbours are stored (a caller is told its own error only).
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
        if (batch.length === 1) batch[0]!.reject(err);
        else for (const w of batch) await this.alone(w);
      }
    }
    this.running = false;
  }

  private async alone(w: Waiting): Promise<void> {
    try {
      w.resolve(await this.append(w.events));
    } catch (err) {
      w.reject(err);
    }
  }
}
