/**
 * An async mutex: one holder at a time. A SQLite connection can run one transaction at a time,
 * so every write on the process's connection goes through one of these. Waiters are served in
 * order, except that urgent ones (lease heartbeats) go before every waiter that is not urgent,
 * so that a queue of consumer transactions never delays a heartbeat past its lease.
 */
export class Lock {
  private held = false;
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];

  async run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => (urgent ? this.urgent : this.normal).push(resolve));
    else this.held = true;
    try {
      return await fn();
    } finally {
      const next = this.urgent.shift() ?? this.normal.shift();
      if (next) next();
      else this.held = false;
    }
  }
}
