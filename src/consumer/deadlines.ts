/**
 * Handler timeouts without a timer per handler: running attempts register their deadline, and one
 * timer checks them. An overdue attempt is failed through `expire` at most one check period
 * (a tenth of the shortest timeout, at least 5 ms) after its deadline.
 */
export class Deadlines {
  private readonly running = new Set<{ at: number; expire: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private period = Infinity;

  add(timeoutMs: number, expire: () => void): () => void {
    const entry = { at: Date.now() + timeoutMs, expire };
    this.running.add(entry);
    const period = Math.max(5, Math.floor(timeoutMs / 10));
    if (!this.timer || period < this.period) {
      clearInterval(this.timer);
      this.period = period;
      this.timer = setInterval(() => this.check(), period);
      this.timer.unref?.();
    }
    return () => {
      this.running.delete(entry);
      if (this.running.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.period = Infinity;
      }
    };
  }

  private check(): void {
    const now = Date.now();
    for (const entry of this.running) {
      if (entry.at <= now) {
        this.running.delete(entry);
        entry.expire();
      }
    }
  }
}
