/**
 * Runs items so that items with the same key run one after another in their given order, and
 * items of different keys run concurrently, at most `limit` keys with work in flight at a time.
 * When `run` returns (or resolves to) false for an item, the rest of that key's items are not run.
 *
 * Synchronous runs cost nothing extra: items are started in order, and only a key whose item
 * returned a promise makes its later items wait for it.
 */
export async function runByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  run: (item: T) => boolean | Promise<boolean>,
): Promise<void> {
  /** Keys that stopped at a failure. */
  const stopped = new Set<string>();
  /** Keys with async work in flight: the promise of their last item (true = go on). */
  const pending = new Map<string, Promise<void>>();
  const max = Math.max(1, limit);

  for (const item of items) {
    const key = keyOf(item);
    if (stopped.has(key)) continue;
    const before = pending.get(key);
    if (before) {
      pending.set(key, chain(before, key, item));
      continue;
    }
    while (pending.size >= max) await Promise.race(pending.values());
    const result = run(item);
    if (result === true) continue;
    if (result === false) {
      stopped.add(key);
      continue;
    }
    pending.set(key, settle(result, key));
  }
  while (pending.size > 0) await Promise.race(pending.values());

  function settle(result: Promise<boolean>, key: string): Promise<void> {
    const p: Promise<void> = result.then(
      (ok) => {
        if (!ok) stopped.add(key);
        if (pending.get(key) === p) pending.delete(key);
      },
      (err: unknown) => {
        stopped.add(key);
        if (pending.get(key) === p) pending.delete(key);
        throw err;
      },
    );
    return p;
  }

  function chain(before: Promise<void>, key: string, item: T): Promise<void> {
    const p: Promise<void> = before.then(async () => {
      if (stopped.has(key)) return;
      const ok = await run(item);
      if (!ok) stopped.add(key);
    }).finally(() => {
      if (pending.get(key) === p) pending.delete(key);
    });
    return p;
  }
}
