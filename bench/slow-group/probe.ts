/**
 * Event-loop stalls of one process: a 10 ms interval timer that measures how late each tick
 * fires (a tick more than 50 ms late is a stall), and Node's own event-loop delay histogram
 * (perf_hooks.monitorEventLoopDelay) as a second opinion.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const TICK_MS = 10;
export const STALL_MS = 50;

export interface StallStats {
  /** Ticks more than STALL_MS late. */
  stalls: number;
  /** The latest tick, in ms beyond its due time. */
  maxLateMs: number;
  /** monitorEventLoopDelay: max and p99 in ms. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

export class StallProbe {
  private last = performance.now();
  private stalls = 0;
  private maxLate = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly histogram = monitorEventLoopDelay({ resolution: TICK_MS });

  constructor() {
    this.histogram.enable();
    this.timer = setInterval(() => {
      const at = performance.now();
      const late = at - this.last - TICK_MS;
      this.last = at;
      if (late > this.maxLate) this.maxLate = late;
      if (late > STALL_MS) this.stalls++;
    }, TICK_MS);
  }

  stop(): StallStats {
    clearInterval(this.timer);
    this.histogram.disable();
    return {
      stalls: this.stalls,
      maxLateMs: Math.max(0, this.maxLate),
      loopDelayMaxMs: this.histogram.max / 1e6,
      loopDelayP99Ms: this.histogram.percentile(99) / 1e6,
    };
  }
}
