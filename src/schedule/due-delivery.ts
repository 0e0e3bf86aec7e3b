import type { Clock } from '../core/clock.js';
import type { Engine } from '../core/engine.js';
import type { Logger } from '../observe/logger.js';

/**
 * The loop of a started app that appends due scheduled events to the log: every `intervalMs` it
 * asks the engine to deliver what is due (in batches of `batch`, until none is left). Every
 * started app runs one; the engine makes each delivery happen exactly once, whichever app does it.
 * A failure is logged and tried again on the next tick.
 */
export class DueDelivery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly batch = 500,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.deliver().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  private async deliver(): Promise<void> {
    try {
      while (!this.stopped && (await this.engine.deliverDue(this.clock.now(), this.batch)) === this.batch) {
        // a full batch: more may be due
      }
    } catch (err) {
      if (!this.stopped) this.logger.error({ err: String(err) }, 'delivering scheduled events failed; trying again');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
