import { watch, type FSWatcher } from 'node:fs';

/**
 * New-event notifications for one database file, shared by every engine on that file in this
 * process. Commits made in this process notify at once. Commits made by other processes are seen
 * through a watch on the WAL file: on a change, `head()` (the sum of the partitions' heads) is
 * read and listeners are told only when it moved by more than this process's own appends since
 * the last look (those were told of at once, partition by partition). Best effort: where file
 * watching is unavailable, consumers still poll.
 */
export class FileSignal {
  private readonly listeners = new Set<(partitions?: readonly number[]) => void>();
  private watcher: FSWatcher | undefined;
  private lastHead = -1;
  private scheduled = false;
  /** Events this process appended since the watch last read the head. */
  private ownEvents = 0;

  constructor(
    private readonly walFile: string,
    private readonly head: () => number | undefined,
  ) {}

  /** Tells this process's listeners of `events` just committed here into `partitions`. */
  notify(partitions: readonly number[], events: number): void {
    this.ownEvents += events;
    this.tell(partitions);
  }

  private tell(partitions?: readonly number[]): void {
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
      if (head === undefined) return;
      // Each appended event moves one partition's head by one: a head moved by exactly this
      // process's own appends holds nothing new. Any other move (another process appended, or an
      // append of ours was rolled back) wakes every partition once.
      const expected = this.lastHead + this.ownEvents;
      this.ownEvents = 0;
      if (head === this.lastHead) return;
      this.lastHead = head;
      if (head !== expected) this.tell();
    }, 1);
  }
}
