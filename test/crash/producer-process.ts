/**
 * The producer of the crash tests. It publishes CRASH_TOTAL events over CRASH_KEYS keys, each
 * carrying the next counter of its key. CRASH_CONCURRENCY publishers run at once, each doing one
 * operation after another on keys no other operation holds: a lone app.publish (group-committed
 * with the others' publishes) or an app.transaction with several publishes of one or two keys. An event counts as published only once its
 * promise resolved; the producer then appends `key n` to CRASH_PROGRESS (a plain file; a line
 * written before a SIGKILL survives it).
 *
 * Restarted after a SIGKILL, it reads CRASH_PROGRESS and goes on from each key's last
 * acknowledged counter. Events stored but not acknowledged before the kill are published again
 * with the same id (crashEventId), which the consumers' inbox recognises.
 *
 * A rejected publish or transaction stored nothing it can count on: the producer tries it again
 * with the same ids (as any producer should), up to 20 times, and reports the rejections.
 *
 * Environment: see child-store.ts, plus CRASH_PROGRESS, CRASH_TOTAL, CRASH_KEYS, and optionally
 * CRASH_CONCURRENCY (default 24), CRASH_PAUSE_MS (a pause of each publisher between operations,
 * default 0) and CRASH_TWO_KEY_SHARE (the share of operations that are transactions of two keys,
 * default 0.15; another 0.15 are transactions of one key).
 *
 * stdout: {"rejection":"..."} per rejected attempt; {"done":true,"acked":N} when all are acknowledged.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFactline } from '../../src/index.js';
import { CRASH_PARTITIONS, counterAdvanced, crashEventId } from './crash-event.js';
import { openChildStore, required } from './child-store.js';

const progressFile = required(process.env, 'CRASH_PROGRESS');
const total = Number(required(process.env, 'CRASH_TOTAL'));
const keyCount = Number(required(process.env, 'CRASH_KEYS'));
const concurrency = Number(process.env.CRASH_CONCURRENCY ?? 24);
const pauseMs = Number(process.env.CRASH_PAUSE_MS ?? 0);
const twoKeyShare = Number(process.env.CRASH_TWO_KEY_SHARE ?? 0.15);

const keys = Array.from({ length: keyCount }, (_, i) => `k${String(i).padStart(4, '0')}`);
/** Next counter per key = how many of its events were acknowledged. */
const next = new Map<string, number>(keys.map((k) => [k, 0]));
let acked = 0;
if (existsSync(progressFile)) {
  for (const line of readFileSync(progressFile, 'utf8').split('\n')) {
    const [key, n] = line.split(' ');
    if (key === undefined || n === undefined || !next.has(key)) continue;
    next.set(key, Math.max(next.get(key)!, Number(n) + 1));
    acked++;
  }
}

const store = openChildStore();
const app = createFactline({ engine: store.engine, source: 'crash/producer', partitions: CRASH_PARTITIONS });

function ack(published: readonly { key: string; n: number }[]): void {
  appendFileSync(progressFile, published.map((p) => `${p.key} ${p.n}\n`).join(''));
  for (const p of published) next.set(p.key, p.n + 1);
  acked += published.length;
}

const data = (key: string, n: number) => [{ key, n }, { id: crashEventId(key, n) }] as const;

async function withRetries(what: string, fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const message = `${what} rejected (attempt ${attempt}): ${err instanceof Error ? `${err.name} ${(err as { code?: string }).code ?? ''} ${err.message}` : String(err)}`;
      process.stdout.write(`${JSON.stringify({ rejection: message })}\n`);
      if (attempt >= 20) throw err;
      await sleep(Math.min(50 * attempt, 500));
    }
  }
}

async function publishOne(key: string): Promise<void> {
  const n = next.get(key)!;
  await withRetries(`publish of ${crashEventId(key, n)}`, async () => {
    await app.publish(counterAdvanced, ...data(key, n));
  });
  ack([{ key, n }]);
}

/** Several events of one or two keys, interleaved, in one transaction. */
async function publishInTransaction(own: readonly string[]): Promise<void> {
  const planned: { key: string; n: number }[] = [];
  const counts = new Map(own.map((k) => [k, 1 + Math.floor(Math.random() * 3)]));
  const cursor = new Map(own.map((k) => [k, next.get(k)!]));
  for (let left = true; left; ) {
    left = false;
    for (const k of own) {
      if (counts.get(k)! === 0) continue;
      counts.set(k, counts.get(k)! - 1);
      const n = cursor.get(k)!;
      cursor.set(k, n + 1);
      planned.push({ key: k, n });
      left = true;
    }
  }
  await withRetries(`transaction of ${planned.map((p) => crashEventId(p.key, p.n)).join(', ')}`, () =>
    app.transaction(async (tx) => {
      for (const p of planned) await tx.publish(counterAdvanced, ...data(p.key, p.n));
    }),
  );
  ack(planned);
}

const busy = new Set<string>();

/** Keys that no running operation holds: a key has one operation at a time, so its counters go in order. */
function pickFreeKeys(count: number): string[] {
  const picked: string[] = [];
  while (picked.length < count) {
    const key = keys[Math.floor(Math.random() * keys.length)]!;
    if (!busy.has(key) && !picked.includes(key)) picked.push(key);
  }
  return picked;
}

/** One of the concurrent publishers: an operation on free keys, a pause, again, until enough are acknowledged. */
async function publisher(): Promise<void> {
  while (acked < total) {
    const r = Math.random();
    const own = pickFreeKeys(r < twoKeyShare ? 2 : 1);
    for (const k of own) busy.add(k);
    try {
      if (r < twoKeyShare + 0.15) await publishInTransaction(own);
      else await publishOne(own[0]!);
    } finally {
      for (const k of own) busy.delete(k);
    }
    if (pauseMs > 0) await sleep(pauseMs);
  }
}

await Promise.all(Array.from({ length: concurrency }, publisher));

await app.stop();
process.stdout.write(`${JSON.stringify({ done: true, acked })}\n`);
