import { createServer } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createFactline, NonRetryableError } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger } from '../../src/testing/helpers.js';
import { OrderPlaced, freshFile } from './otel-fixture.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The sum of the samples of `name` whose labels include every one of `labels` (undefined when none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('OpenTelemetry metrics', () => {
  it('serves the conventions\' counters, the process duration and the store gauges on a Prometheus scrape, and they move', async () => {
    const port = await freePort();
    const exporter = new PrometheusExporter({ port, host: '127.0.0.1' });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const file = freshFile('metrics');
    const app = createFactline({ engine: sqliteEngine({ file }), source: 'test/shop', partitions: 2, logger: memoryLogger(), telemetry: { meterProvider } });
    app.consumer('billing').on(OrderPlaced, () => undefined);
    app.consumer('fraud', { retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10, jitter: 0 } }).on(OrderPlaced, (e) => {
      if (e.data.orderId === 'bad') throw new Error('no risk profile');
      if (e.data.orderId === 'worse') throw new NonRetryableError('refused');
    });
    await app.start();
    try {
      for (const orderId of ['a', 'b', 'bad', 'worse']) await app.publish(OrderPlaced, { orderId });
      const text = await eventually('two dead letters on the scrape', async () => {
        const t = await scrape();
        return sample(t, 'factline_dead_letters_open', { messaging_consumer_group_name: 'fraud' }) === 2 ? t : undefined;
      });
      expect(sample(text, 'messaging_client_sent_messages_total', { 'messaging_destination_name': 'test.order.placed' })).toBe(4);
      expect(sample(text, 'messaging_client_operation_duration_count', { 'messaging_operation_name': 'publish' })).toBe(4);
      expect(sample(text, 'messaging_process_duration_count', { messaging_consumer_group_name: 'billing' })).toBeGreaterThan(0);
      expect(sample(text, 'messaging_process_duration_count', { messaging_consumer_group_name: 'fraud', error_type: 'Error' })).toBe(2);
      expect(sample(text, 'messaging_process_duration_count', { messaging_consumer_group_name: 'fraud', error_type: 'NonRetryableError' })).toBe(1);
      expect(sample(text, 'messaging_client_consumed_messages_total', { messaging_consumer_group_name: 'billing' })).toBeGreaterThan(0);
      expect(sample(text, 'factline_retries_total', { messaging_consumer_group_name: 'fraud' })).toBe(1);
      expect(sample(text, 'factline_dead_letters_created_total', { messaging_consumer_group_name: 'fraud' })).toBe(2);
      expect(sample(text, 'factline_dead_letters_oldest_age', { messaging_consumer_group_name: 'fraud' })).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'factline_dead_letters_open', { messaging_consumer_group_name: 'billing' })).toBe(0);
      expect(sample(text, 'factline_consumer_lag', { messaging_consumer_group_name: 'billing' })).toBe(0);
    } finally {
      await app.stop();
    }

    // With no member running, what is published next shows as lag on the next scrape.
    const writer = createFactline({ engine: sqliteEngine({ file }), source: 'test/shop', partitions: 2, logger: memoryLogger(), telemetry: { meterProvider } });
    await writer.start();
    try {
      for (const orderId of ['c', 'd', 'e']) await writer.publish(OrderPlaced, { orderId });
      const text = await scrape();
      expect(sample(text, 'factline_consumer_lag', { messaging_consumer_group_name: 'billing' })).toBe(3);
      expect(sample(text, 'factline_consumer_lag', { messaging_consumer_group_name: 'fraud' })).toBe(3);
      expect(sample(text, 'messaging_client_sent_messages_total', { 'messaging_destination_name': 'test.order.placed' })).toBe(7);
    } finally {
      await writer.stop();
      await meterProvider.shutdown();
    }
  });
});
