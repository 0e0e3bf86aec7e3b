const YIELD_EVERY_MS = 10;

/**
 * An async mutex: one holder at a time. A SQLite connection can run one transaction at a time,
 * so every write on the process's connection goes through one of these. Waiters are served in
 * order, except that urgent ones (lease heartbeats) go before every waiter that is not urgent,
 * so that a queue of consumer transactions never delays a heartbeat past its lease.
 */
export class Lock {
  private held = false;
  /** When the lock last let the event loop run (a macrotask turn) before handing over. */
  private lastYield = Date.now();
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];

  async run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => (urgent ? this.urgent : this.normal).push(resolve));
    else {
      this.held = true;
      this.lastYield = Date.now();
    }
    try {
      return await fn();
    } finally {
      const next = this.urgent.shift() ?? this.normal.shift();
      if (!next) this.held = false;
      else if (Date.now() - this.lastYield < YIELD_EVERY_MS) next();
      else {
        // Transactions handed over back to back run synchronously on SQLite: let timers and I/O
        // in between every few milliseconds.
        setImmediate(() => {
          this.lastYield = Date.now();
          next();
        });
      }
    }
  }
}
