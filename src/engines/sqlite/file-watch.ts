import { watch, type FSWatcher } from 'node:fs';

/**
 * New-event notifications for one database file, shared by every engine on that file in this
 * process. Commits made in this process notify at once. Commits made by other processes are seen
 * through a watch on the WAL file: on a change, `head()` (the newest stored position) is read and
 * listeners are told only when it moved. Best effort: where file watching is unavailable,
 * consumers still poll.
 */
export class FileSignal {
  private readonly listeners = new Set<(partitions?: readonly number[]) => void>();
  private watcher: FSWatcher | undefined;
  private lastHead = -1;
  private scheduled = false;

  constructor(
    private readonly walFile: string,
    private readonly head: () => number | undefined,
  ) {}

  /** Tells this process's listeners; `partitions` that received events, when known. */
  notify(partitions?: readonly number[]): void {
    for (const l of this.listeners) l(partitions);
  }

  subscribe(listener: (partitions?: readonly number[]) => void): () => void {
    this.listeners.add(listener);
    if (!this.watcher) this.startWatching();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.watcher?.close();
        this.watcher = undefined;
      }
    };
  }

  private startWatching(): void {
    try {
      this.watcher = watch(this.walFile, { persistent: false }, () => this.changed());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined; // no WAL file yet, or no watching here: polling covers it
    }
  }

  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      let head: number | undefined;
      try {
        head = this.head();
      } catch {
        return;
      }
      if (head !== undefined && head !== this.lastHead) {
        this.lastHead = head;
        this.notify();
      }
    }, 1);
  }
}
