/**
 * The peers' side of "effect once" in the flaky-provider scenario: an in-memory processed mark
 * checked before the outside call (an event already processed is acknowledged without calling)
 * and written after it succeeds. `rows` counts every write, so a second effect for one event
 * would show as rows > distinct.
 */
export class EffectMarks {
  private readonly done = new Set<string>();
  private rows = 0;

  has(id: string): boolean {
    return this.done.has(id);
  }

  record(id: string): void {
    this.rows++;
    this.done.add(id);
  }

  counts(): { rows: number; distinct: number } {
    return { rows: this.rows, distinct: this.done.size };
  }
}

/** The handler every peer runs: skip if marked, call, mark. Rejects when the call does. */
export async function handleOnce(marks: EffectMarks, id: string, work: (id: string) => Promise<void>): Promise<'skipped' | 'done'> {
  if (marks.has(id)) return 'skipped';
  await work(id);
  marks.record(id);
  return 'done';
}

/** The delay before retry number `attempt` (1 = the first retry): `first`, doubling. */
export function doubling(first: number, attempt: number): number {
  return first * 2 ** Math.max(0, attempt - 1);
}
