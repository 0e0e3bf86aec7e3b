import type { PgPoolClient } from './types.js';

/**
 * The notifications this process's own appends will receive back from the server. An append made
 * through the engine tells this process's consumers at once, so the NOTIFY its statement sends
 * would only wake them a second time for nothing (a read that finds no event). Per server
 * process, the appends expected are counted and as many notifications from it are skipped.
 *
 * Best effort by design: a skipped notification that was not ours (another engine sharing the
 * same pool appended on that connection) only delays that engine's consumers until their next
 * poll (at most `maxPollMs`). A driver that does not report server process ids skips nothing.
 */
export class OwnNotices {
  private readonly expected = new Map<number, number>();

  /** Runs an append of a single statement (one transaction, so one notification) on `c`. */
  async expect<T>(c: PgPoolClient, append: () => Promise<T>): Promise<T> {
    const pid = c.processID;
    // Counted before the statement is sent: its notification may arrive before its result.
    if (typeof pid === 'number') this.expected.set(pid, (this.expected.get(pid) ?? 0) + 1);
    try {
      return await append();
    } catch (err) {
      // Whether it committed is unknown: not expecting it wakes consumers once more at worst.
      if (typeof pid === 'number') this.arrived(pid);
      throw err;
    }
  }

  /** A notification from server process `pid` arrived: true when it was expected (skip it). */
  arrived(pid: number | undefined): boolean {
    if (typeof pid !== 'number') return false;
    const n = this.expected.get(pid) ?? 0;
    if (n === 0) return false;
    if (n === 1) this.expected.delete(pid);
    else this.expected.set(pid, n - 1);
    return true;
  }
}
