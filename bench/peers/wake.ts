/**
 * In-process wake-up for the raw-log peers: a publisher calls notify() after its commit,
 * and a polling consumer waits on wait(ms) instead of sleeping the whole poll interval.
 */
export class Wake {
  private waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves on the next notify(), or after `ms` at the latest. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
