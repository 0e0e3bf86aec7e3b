/**
 * An async mutex: one holder at a time, FIFO. A SQLite connection can run one transaction at a
 * time, so every write on the process's connection goes through one of these.
 */
export class Lock {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
