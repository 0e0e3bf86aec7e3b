/**
 * How many partition workers of one group in an app hold a batch they read but have not committed
 * yet. On SQLite the batches commit one at a time anyway (one writer per file), and on PostgreSQL
 * they share the app's connection pool: workers beyond a few only hold parsed events in memory
 * while they wait, which costs the garbage collector more than it gains. Each group has its own
 * turns, so a slow store handler of one group never holds back another. A worker takes a turn
 * before it reads and gives it back once its store handlers' batch committed; effect handlers run
 * after the turn is given back, so a slow outside call never holds one. Turns are given in the
 * order asked.
 */
export class ReadGate {
  private taken = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly turns: number) {}

  /** Resolves when the caller may read; call the returned function exactly once to give the turn back. */
  async take(): Promise<() => void> {
    if (this.taken < this.turns && this.waiting.length === 0) this.taken++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.taken--;
    };
  }
}
