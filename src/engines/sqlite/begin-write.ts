import type Database from 'better-sqlite3';

/** How long one statement of the writer waits for a lock inside SQLite (the rest is waited for asynchronously). */
export const WRITER_BUSY_MS = 2;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * BEGIN IMMEDIATE, waiting for another process's write lock with pauses that leave the event
 * loop free (1 ms doubling to 25 ms), for up to `timeoutMs` in all. The last error (busy, or any
 * other at once) is thrown through `fail`, which makes a StoreError of it.
 */
export async function beginWrite(db: Database.Database, timeoutMs: number, fail: (err: unknown) => never): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 25)) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) fail(err);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
