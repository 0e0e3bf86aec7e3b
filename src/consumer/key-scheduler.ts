/**
 * Runs items so that items with the same key run one after another in their given order, and
 * items of different keys run concurrently, at most `limit` keys at a time. When `run` returns
 * false for an item, the rest of that key's items are not run (the key stops there).
 */
export async function runByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  run: (item: T) => Promise<boolean>,
): Promise<void> {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    let q = queues.get(key);
    if (!q) queues.set(key, (q = []));
    q.push(item);
  }
  const keys = [...queues.values()];
  let next = 0;
  const lane = async () => {
    while (next < keys.length) {
      const queue = keys[next++]!;
      for (const item of queue) {
        if (!(await run(item))) break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), keys.length) }, lane));
}
