/**
 * How a partition worker waits when it has nothing to read: until a poke (the engine told of new
 * events) or its poll timer, whichever comes first. A poke that arrives while the worker is busy
 * makes its next wait end at once, so no notification is lost between a read and the wait.
 *
 * The poll backs off: each poll that found nothing doubles the next wait, from `pollMs` up to
 * `maxPollMs`; a poll that found events nothing told of starts over at `pollMs`. Pokes leave the
 * back-off as it is: they show that the engine's notifications work.
 */
export class IdleWait {
  private wake: (() => void) | undefined;
  private poked = false;
  private emptyPolls = 0;
  /** The last wait ended by its timer, not by a poke. */
  private polled = false;

  constructor(
    private readonly pollMs: number,
    private readonly maxPollMs: number,
  ) {}

  /** New events may be readable: end the wait now, or skip the next one. */
  poke(): void {
    if (this.wake) this.wake();
    else this.poked = true;
  }

  /** Ends the current wait, if any (stopping). */
  interrupt(): void {
    this.wake?.();
  }

  /** Called before a read: pokes from now on are for events it may not see. */
  reading(): void {
    this.poked = false;
  }

  /** After a look: whether it found events. Only looks that followed a poll count. */
  looked(found: boolean): void {
    if (this.polled) this.emptyPolls = found ? 0 : this.emptyPolls + 1;
  }

  /** The wait before the next poll: backed off, or `pollMs` when something must be watched. */
  nextPollMs(backOff: boolean): number {
    if (!backOff) return this.pollMs;
    return Math.min(this.maxPollMs, this.pollMs * 2 ** Math.min(this.emptyPolls, 16));
  }

  /** Waits `ms` or until a poke. */
  sleep(ms: number): Promise<void> {
    this.polled = false;
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        this.polled = true;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
