/**
 * JetStream's side of the flaky-provider scenario: a durable pull consumer of its own per group
 * with explicit acks, `max_ack_pending` = the in-flight limit (the server delivers no more until
 * some are acked) and `max_deliver` = the attempts. Deliveries are handled concurrently; a failed
 * call is NAKed with a delay (JetStream's redelivery with backoff: `retryMs`, doubling with the
 * delivery count), and the last failed attempt is TERMed (given up).
 */
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { errorText } from '../measure.js';
import type { GroupSink, RetryingGroupOptions } from '../system.js';
import { decodeId } from '../workload.js';
import { doubling, EffectMarks, handleOnce } from './effect-marks.js';

export interface NatsRetrying {
  readonly retry: string;
  readonly marks: EffectMarks;
  stop(): Promise<void>;
}

export async function startNatsRetrying(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  group: number,
  work: (id: string) => Promise<void>,
  sink: GroupSink,
  options: RetryingGroupOptions,
): Promise<NatsRetrying> {
  const name = `retry${group}`;
  await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: options.inFlight,
    max_deliver: options.attempts,
  });
  const consumer = await js.consumers.get(stream, name);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: options.inFlight });
  const marks = new EffectMarks();
  const running = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const msg of messages) {
      const id = decodeId(msg.data);
      sink.started(id);
      const task = handleOnce(marks, id, work).then(
        (outcome) => {
          msg.ack();
          if (outcome === 'done') sink.done(1);
        },
        () => {
          const delivery = msg.info.deliveryCount;
          if (delivery >= options.attempts) msg.term('failed every attempt');
          else msg.nak(doubling(options.retryMs, delivery));
        },
      );
      running.add(task);
      void task.finally(() => running.delete(task));
    }
  })().catch((err: unknown) => console.error(`  nats retrying group ${group}: ${errorText(err)}`));
  return {
    retry: `JetStream redelivery: NAK with delay ${options.retryMs} ms doubling per delivery, max_deliver ${options.attempts}, max_ack_pending ${options.inFlight}; no per-key order`,
    marks,
    stop: async () => {
      messages.stop();
      await loop;
      await Promise.all(running);
    },
  };
}
