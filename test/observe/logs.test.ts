import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually } from '../../src/testing/helpers.js';
import { OrderPlaced, freshFile, registerTracing } from './otel-fixture.js';

let otel: ReturnType<typeof registerTracing> | undefined;
afterEach(() => {
  otel?.unregister();
  otel = undefined;
});

/** A real pino logger writing JSON lines into an array. */
function pinoLines() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function run(tracing: boolean) {
  const { logger, lines } = pinoLines();
  const app = createFactline({
    engine: sqliteEngine({ file: freshFile('logs') }), source: 'test/shop', partitions: 1, logger,
    telemetry: tracing ? {} : false,
  });
  app.consumer('billing', { retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10, jitter: 0 } }).on(OrderPlaced, (e, ctx) => {
    ctx.log.info({ total: 42 }, 'charging');
    if (e.data.orderId === 'bad') throw new Error('card declined');
  });
  app.consumer('email').effect(OrderPlaced, (_e, ctx) => {
    ctx.log.info({}, 'sending');
  });
  await app.start();
  const [good, bad] = [await app.publish(OrderPlaced, { orderId: 'good' }, { correlationId: 'flow-9' }), await app.publish(OrderPlaced, { orderId: 'bad' })];
  await eventually('the dead letter logged', () => lines.some((l) => l.msg === `dead letter in group billing: test.order.placed bad (event ${bad.id}); inspect with: factline dlq show ${String(l.deadLetterId)}`));
  await app.stop();
  return { lines, good, bad };
}

describe('logs', () => {
  it('binds the event, the group and the attempt on the handler\'s lines and on Factline\'s own, with real pino', async () => {
    const { lines, good, bad } = await run(false);
    const charging = lines.find((l) => l.msg === 'charging' && l.eventId === good.id);
    expect(charging).toMatchObject({ level: 30, total: 42, eventId: good.id, eventType: 'test.order.placed', subject: 'good', correlationId: 'flow-9', group: 'billing', attempt: 1 });
    expect(charging).not.toHaveProperty('traceId');
    expect(lines.find((l) => l.msg === 'sending' && l.eventId === good.id)).toMatchObject({ group: 'email', attempt: 1, subject: 'good' });
    expect(lines.find((l) => l.msg === 'charging' && l.eventId === bad.id && l.attempt === 2)).toMatchObject({ group: 'billing', subject: 'bad' });
    const retry = lines.find((l) => l.msg === 'attempt 1 failed; key parked until the next attempt');
    expect(retry).toMatchObject({ level: 40, eventId: bad.id, eventType: 'test.order.placed', subject: 'bad', correlationId: bad.id, group: 'billing', attempt: 1, error: 'card declined' });
    const dead = lines.find((l) => l.level === 50 && typeof l.deadLetterId === 'string');
    expect(dead).toMatchObject({ eventId: bad.id, subject: 'bad', correlationId: bad.id, group: 'billing', attempt: 2, reason: expect.stringMatching(/card declined/) });
  });

  it('adds the trace and span id of the attempt when tracing is on', async () => {
    otel = registerTracing();
    const { lines, good } = await run(true);
    const charging = lines.find((l) => l.msg === 'charging' && l.eventId === good.id)!;
    expect(charging.traceId).toBe(good.traceparent!.slice(3, 35));
    const span = otel.exporter.getFinishedSpans().find((s) => s.name === 'process billing' && s.attributes['messaging.message.id'] === good.id)!;
    expect(charging.spanId).toBe(span.spanContext().spanId);
    const retry = lines.find((l) => l.msg === 'attempt 1 failed; key parked until the next attempt')!;
    expect(retry.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
