import type { ParkedRecord } from '../core/engine.js';

/**
 * The worker's copy of its partition's parked rows, by key in sequence order (the first is the
 * key's head). Changes the worker commits are applied with `remember` / `forget`; `replaceFrom`
 * loads the stored rows (a replay made from the CLI arrives that way) without undoing changes made
 * while the load was under way.
 */
export class ParkedKeys {
  private map = new Map<string, ParkedRecord[]>();
  /** Keys changed since the current load began; undefined when no load is running. */
  private touched: Set<string> | undefined;

  has(key: string): boolean {
    return this.map.has(key);
  }

  head(key: string): ParkedRecord | undefined {
    return this.map.get(key)?.[0];
  }

  /** The key's parked rows in sequence order. */
  rows(key: string): readonly ParkedRecord[] {
    return this.map.get(key) ?? [];
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  heads(): ParkedRecord[] {
    return [...this.map.values()].map((rows) => rows[0]!);
  }

  remember(row: ParkedRecord): void {
    this.touched?.add(row.key);
    const list = this.map.get(row.key);
    if (!list) return void this.map.set(row.key, [row]);
    const i = list.findIndex((r) => r.sequence === row.sequence);
    if (i >= 0) list[i] = row;
    else {
      list.push(row);
      list.sort((a, b) => a.sequence - b.sequence);
    }
  }

  forget(key: string, sequence: number): void {
    this.touched?.add(key);
    const list = this.map.get(key);
    if (!list) return;
    const rest = list.filter((r) => r.sequence !== sequence);
    if (rest.length) this.map.set(key, rest);
    else this.map.delete(key);
  }

  /** Loads the stored rows; keys changed meanwhile (or `busy`) keep the copy in memory. */
  async replaceFrom(load: () => Promise<ParkedRecord[]>, busy: (key: string) => boolean): Promise<void> {
    const touched = new Set<string>();
    this.touched = touched;
    let rows: ParkedRecord[];
    try {
      rows = await load();
    } finally {
      this.touched = undefined;
    }
    const next = new Map<string, ParkedRecord[]>();
    for (const row of rows) {
      if (touched.has(row.key) || busy(row.key)) continue;
      let list = next.get(row.key);
      if (!list) next.set(row.key, (list = []));
      list.push(row);
    }
    for (const list of next.values()) list.sort((a, b) => a.sequence - b.sequence);
    for (const [key, list] of this.map) if (touched.has(key) || busy(key)) next.set(key, list);
    this.map = next;
  }
}
