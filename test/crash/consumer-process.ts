/**
 * A consumer process of the crash tests: one member of the group `effects`, whose handler writes
 * one effect row per event in the handler's transaction. The test SIGKILLs it at random moments
 * or sends SIGTERM for a graceful stop.
 *
 * Environment: see child-store.ts, plus CRASH_NAME (written on every effect row), CRASH_LEASE_MS,
 * CRASH_HEARTBEAT_MS, CRASH_BATCH (batch size), and optionally CRASH_SLOW_KEY and CRASH_SLOW_MS:
 * the handler of that key's events takes that long (to have work in flight on demand).
 *
 * stdout, one JSON object per line: {"ready":true,"pid":...} once started; {"owned":[...]} when
 * its partitions change; {"handling":id} when a slow event's handler starts;
 * {"stopped":true,"inFlight":[event ids]} after a graceful stop, listing the events whose handler
 * was running when SIGTERM arrived.
 *
 * CRASH_MODE=effect: the group's handler is an effect handler; its outside call appends a line
 * `<event id> <process name>` to the file CRASH_CALLS before its commit step writes the effect
 * row. CRASH_EXIT_EVENT: the handler of that event (by id) ends the process with SIGKILL (a handler
 * that kills its process: process.exit, out of memory, a native crash). CRASH_ATTEMPTS: the
 * group's retry attempts.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFactline } from '../../src/index.js';
import { CRASH_GROUP, CRASH_PARTITIONS, counterAdvanced } from './crash-event.js';
import { openChildStore, required } from './child-store.js';

const name = required(process.env, 'CRASH_NAME');
const slowKey = process.env.CRASH_SLOW_KEY;
const slowMs = Number(process.env.CRASH_SLOW_MS ?? 0);
const mode = process.env.CRASH_MODE ?? 'store';
const exitEvent = process.env.CRASH_EXIT_EVENT;
const store = openChildStore();
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const app = createFactline({ engine: store.engine, source: 'crash/consumer', partitions: CRASH_PARTITIONS });
const inFlight = new Set<string>();

const group = app.consumer(CRASH_GROUP, {
  leaseTtlMs: Number(required(process.env, 'CRASH_LEASE_MS')),
  heartbeatMs: Number(required(process.env, 'CRASH_HEARTBEAT_MS')),
  batchSize: Number(process.env.CRASH_BATCH ?? 100),
  pollMs: 20,
  retry: { attempts: Number(process.env.CRASH_ATTEMPTS ?? 5), initialDelayMs: 50, maxDelayMs: 200 },
});

const dieIfAsked = (id: string) => {
  if (id === exitEvent) process.kill(process.pid, 'SIGKILL');
};

if (mode === 'effect') {
  group.effect(counterAdvanced, async (event) => {
    inFlight.add(event.id);
    try {
      dieIfAsked(event.id);
      // The outside call: a line per call, written before the result is committed.
      appendFileSync(required(process.env, 'CRASH_CALLS'), `${event.id} ${name}\n`);
      await sleep(Math.random() < 0.2 ? 2 : 0);
      return (ctx) => store.writeEffect(ctx.db, { eventId: event.id, key: event.data.key, n: event.data.n, member: name });
    } finally {
      inFlight.delete(event.id);
    }
  });
} else {
  group.on(counterAdvanced, async (event, ctx) => {
    inFlight.add(event.id);
    try {
      dieIfAsked(event.id);
      if (event.data.key === slowKey) {
        say({ handling: event.id });
        await sleep(slowMs);
      }
      await store.writeEffect(ctx.db, { eventId: event.id, key: event.data.key, n: event.data.n, member: name });
    } finally {
      inFlight.delete(event.id);
    }
  });
}

await app.start();
say({ ready: true, pid: process.pid });

let last = '';
const report = setInterval(() => {
  const owned = app.assignments()[CRASH_GROUP] ?? [];
  const now = JSON.stringify(owned);
  if (now !== last) say({ owned });
  last = now;
}, 50);

process.once('SIGTERM', () => {
  const atSignal = [...inFlight];
  clearInterval(report);
  app.stop().then(
    () => {
      say({ stopped: true, inFlight: atSignal });
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`stop failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
