/**
 * Work queued per key: the tasks of one key run one after another in the order they were pushed;
 * tasks of different keys run concurrently, at most `limit` keys at a time. A task that throws
 * ends nothing but itself (the error goes to `onError`); the key's next task still runs.
 */
export class KeyLanes {
  private readonly lanes = new Map<string, (() => Promise<void>)[]>();
  private readonly ready: string[] = [];
  private readonly running = new Set<string>();
  private active = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Whether the key has work queued or running. */
  has(key: string): boolean {
    return this.lanes.has(key);
  }

  get size(): number {
    return this.lanes.size;
  }

  push(key: string, task: () => Promise<void>): void {
    const queue = this.lanes.get(key);
    if (queue) return void queue.push(task);
    this.lanes.set(key, [task]);
    this.ready.push(key);
    this.pump();
  }

  /** Stops starting queued tasks (they are dropped) and resolves once the running ones end. */
  async drain(): Promise<void> {
    this.draining = true;
    this.ready.length = 0;
    for (const [key, queue] of this.lanes) {
      queue.length = 0;
      if (!this.running.has(key)) this.lanes.delete(key);
    }
    if (this.active === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.draining && this.active < this.limit && this.ready.length > 0) {
      const key = this.ready.shift()!;
      this.active++;
      this.running.add(key);
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    for (;;) {
      const queue = this.lanes.get(key);
      const task = queue?.shift();
      if (!task || this.draining) break;
      try {
        await task();
      } catch (err) {
        this.onError(err);
      }
    }
    this.lanes.delete(key);
    this.running.delete(key);
    this.active--;
    if (this.active === 0 && this.draining) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
    this.pump();
  }
}
