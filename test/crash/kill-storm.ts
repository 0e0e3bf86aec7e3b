import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { Child, eventually } from './children.js';
import { CRASH_PARTITIONS, crashEventId, type EffectRow } from './crash-event.js';
import type { CrashStore } from './crash-target.js';
import { drained, effectViolations, readProgress } from './check-effects.js';

export interface KillStormOptions {
  /** Events the producer must get acknowledged. */
  readonly events: number;
  readonly keys: number;
  readonly consumers: number;
  /** SIGKILLs of consumers, at least. */
  readonly consumerKills: number;
  /** SIGKILLs of the producer (at evenly spaced points of its progress). */
  readonly producerKills: number;
  /** Operations the producer runs at once. */
  readonly producerConcurrency: number;
  /** Pause of each of the producer's publishers between operations, to spread its work over the kills. */
  readonly producerPauseMs: number;
  /** Share of the producer's operations that are transactions publishing to two keys. */
  readonly producerTwoKeyShare: number;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  /** `effect`: the consumers' handler is an effect handler whose outside calls are counted. */
  readonly mode?: 'store' | 'effect';
}

const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

/**
 * One producer and several consumers of one group share the store; consumers are SIGKILLed at
 * random moments and replaced, the producer is SIGKILLed and restarted a few times. Once the
 * group drained, every acknowledged event must have exactly one effect, in key order.
 */
export async function runKillStorm(store: CrashStore, label: string, o: KillStormOptions): Promise<void> {
  const progress = join(store.dir, 'progress.txt');
  const calls = join(store.dir, 'calls.log');
  const consumerEnv = {
    ...store.env, CRASH_LEASE_MS: String(o.leaseTtlMs), CRASH_HEARTBEAT_MS: String(o.heartbeatMs), CRASH_BATCH: '100',
    CRASH_MODE: o.mode ?? 'store', CRASH_CALLS: calls,
  };
  const producerEnv = {
    ...store.env, CRASH_PROGRESS: progress, CRASH_TOTAL: String(o.events), CRASH_KEYS: String(o.keys),
    CRASH_CONCURRENCY: String(o.producerConcurrency), CRASH_PAUSE_MS: String(o.producerPauseMs),
    CRASH_TWO_KEY_SHARE: String(o.producerTwoKeyShare),
  };
  let started = 0;
  const startConsumer = () => new Child(`c${++started}`, 'consumer-process.ts', consumerEnv);
  const consumers = Array.from({ length: o.consumers }, startConsumer);
  await consumers[0]!.waitFor((m) => m.ready === true, 30_000, 'ready');

  let producerRuns = 1;
  let producer = new Child('p1', 'producer-process.ts', producerEnv);
  const producers = [producer];
  const killedByTest = new Set<Child>();
  let consumerKills = 0;
  let producerKills = 0;
  let producerDone = false;
  const t0 = Date.now();

  const unexpectedExit = (c: Child) => !c.alive && !killedByTest.has(c) && !(c === producer && c.exit?.code === 0);
  while (!producerDone || consumerKills < o.consumerKills) {
    await sleep(between(300, 1200));
    for (const c of [...consumers, producer]) {
      if (unexpectedExit(c)) throw new Error(`${c.name} ended on its own: ${JSON.stringify(c.exit)}\n${c.stderrTail()}`);
    }
    if (!producerDone && producer.exit?.code === 0) producerDone = true;
    if (Date.now() - t0 > 300_000) throw new Error(`${label}: producer not done after 300 s (${readProgress(progress).total} acknowledged)`);

    // The victim is a consumer that started and so may be in the middle of a transaction.
    const ready = consumers.filter((c) => c.last('ready'));
    const victim = ready[Math.floor(Math.random() * ready.length)];
    if (victim) {
      killedByTest.add(victim);
      const exit = await victim.kill();
      expect(exit.signal, `${victim.name} should die of SIGKILL\n${victim.stderrTail()}`).toBe('SIGKILL');
      consumerKills++;
      consumers[consumers.indexOf(victim)] = startConsumer();
    }

    const { total } = readProgress(progress);
    const nextProducerKillAt = ((producerKills + 1) * o.events) / (o.producerKills + 1);
    if (!producerDone && producer.alive && producerKills < o.producerKills && total >= nextProducerKillAt) {
      killedByTest.add(producer);
      await producer.kill();
      producerKills++;
      producer = new Child(`p${++producerRuns}`, 'producer-process.ts', producerEnv);
      producers.push(producer);
    }
  }
  const killsDoneAt = Date.now();

  await eventually(() => drained(store.engine, CRASH_PARTITIONS), 90_000, async () => {
    const status = await store.engine.admin.status();
    return `${label}: the group did not drain: ${JSON.stringify(status)}\n${consumers.map((c) => c.stderrTail()).join('\n')}`;
  });
  const drainedAt = Date.now();

  const { perKey, total } = readProgress(progress);
  const effects = await store.effects();
  const deadLetters = await store.engine.admin.listDeadLetters({});
  const heads = await store.engine.admin.heads();
  console.log(
    `[crash ${label}] ${total} events acknowledged (${heads.reduce((a, b) => a + b, 0)} stored, with republished copies), ` +
      `${effects.length} effects, ${consumerKills} consumer and ${producerKills} producer SIGKILLs, ` +
      `${consumers.length} consumers, ${started} consumer processes started; kills over ${Math.round((killsDoneAt - t0) / 1000)} s, drained ${Math.round((drainedAt - killsDoneAt) / 1000)} s later`,
  );
  const rejections = producers.flatMap((p) => p.messages.filter((m) => typeof m.rejection === 'string').map((m) => m.rejection as string));
  if (rejections.length > 0) {
    // Not a durability failure (a rejected publish stored nothing and was retried), but worth seeing.
    console.warn(`[crash ${label}] ${rejections.length} publishes were rejected and retried by the producer; first: ${rejections[0]}`);
  }
  const byMember = new Map<string, number>();
  for (const e of effects) byMember.set(e.member, (byMember.get(e.member) ?? 0) + 1);
  console.log(`[crash ${label}] effects per consumer process: ${[...byMember].map(([m, n]) => `${m}=${n}`).join(' ')}`);
  expect(producerKills).toBe(o.producerKills);
  expect(heads.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(total);
  expect(consumerKills).toBeGreaterThanOrEqual(o.consumerKills);
  expect(total).toBeGreaterThanOrEqual(o.events);
  expect(deadLetters).toEqual([]);
  expect(effectViolations(effects, perKey)).toEqual([]);
  if (o.mode === 'effect') {
    const killed = new Set([...killedByTest].map((c) => c.name));
    const report = callViolations(readFileSync(calls, 'utf8'), effects, perKey, killed);
    console.log(`[crash ${label}] outside calls: ${report.calls} for ${report.events} events; ${report.repeated} events called more than once, each by a process killed mid-call`);
    expect(report.violations).toEqual([]);
  }
}

/**
 * Every acknowledged event's outside call happened at least once; an event called more than once
 * was called by processes that were SIGKILLed before committing it, and then by the process that
 * committed it.
 */
function callViolations(text: string, effects: readonly EffectRow[], perKey: ReadonlyMap<string, number>, killed: ReadonlySet<string>) {
  const callers = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [id, member] = line.split(' ');
    const list = callers.get(id!) ?? [];
    list.push(member!);
    callers.set(id!, list);
  }
  const committedBy = new Map(effects.map((e) => [e.eventId, e.member]));
  const violations: string[] = [];
  let events = 0;
  let repeated = 0;
  for (const [key, count] of perKey) {
    for (let n = 0; n < count; n++) {
      const id = crashEventId(key, n);
      events++;
      const who = callers.get(id) ?? [];
      if (who.length === 0) violations.push(`${id}: never called`);
      if (who.length > 1) {
        repeated++;
        const extra = who.filter((m) => m !== committedBy.get(id));
        const unexplained = extra.filter((m) => !killed.has(m));
        if (unexplained.length || who.filter((m) => m === committedBy.get(id)).length > 1) violations.push(`${id}: called by ${who.join(', ')}, committed by ${committedBy.get(id)}`);
      }
    }
  }
  return { violations, events, repeated, calls: [...callers.values()].reduce((a, l) => a + l.length, 0) };
}
