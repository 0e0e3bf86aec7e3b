/**
 * Where attempts recorded as started take turns, in this process. An attempt of an event that
 * was running when its process died before (a suspect) runs alone: every other recorded attempt
 * of every group in this process waits, so that if the process dies again, only the suspect is
 * blamed for it. Other recorded attempts run side by side. Attempts that are not recorded first
 * (the batched fast path) never wait here: their deaths are not counted against any one event.
 */
class AttemptGate {
  private shared = 0;
  private exclusive = false;
  private readonly queue: { alone: boolean; go: () => void }[] = [];

  async run<T>(alone: boolean, fn: () => Promise<T>): Promise<T> {
    await this.enter(alone);
    try {
      return await fn();
    } finally {
      if (alone) this.exclusive = false;
      else this.shared--;
      this.next();
    }
  }

  private enter(alone: boolean): Promise<void> {
    if (this.queue.length === 0 && this.admits(alone)) {
      this.take(alone);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ alone, go: resolve }));
  }

  private admits(alone: boolean): boolean {
    return !this.exclusive && (!alone || this.shared === 0);
  }

  private take(alone: boolean): void {
    if (alone) this.exclusive = true;
    else this.shared++;
  }

  private next(): void {
    while (this.queue.length > 0 && this.admits(this.queue[0]!.alone)) {
      const waiter = this.queue.shift()!;
      this.take(waiter.alone);
      waiter.go();
    }
  }
}

export const attemptGate = new AttemptGate();
