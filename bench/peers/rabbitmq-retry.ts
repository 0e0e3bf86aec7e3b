/**
 * RabbitMQ's side of the flaky-provider scenario: a consumer on its own channel with prefetch =
 * the in-flight limit and manual acks; deliveries are handled concurrently. A failed call is
 * NACKed with requeue, the quorum queue's own retry: it redelivers at once (RabbitMQ 3.10 has no
 * redelivery delay; a delay would need a TTL'd retry queue and a dead-letter exchange) and counts
 * the deliveries in `x-delivery-count`; after the last attempt the message is NACKed without
 * requeue (dropped: the queue has no dead-letter exchange).
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { errorText } from '../measure.js';
import type { GroupSink, RetryingGroupOptions } from '../system.js';
import { decodeId } from '../workload.js';
import { EffectMarks, handleOnce } from './effect-marks.js';

export interface RabbitRetrying {
  readonly retry: string;
  readonly marks: EffectMarks;
  readonly channel: Channel;
}

/** Deliveries before this one, as the quorum queue counts them. */
function priorDeliveries(msg: ConsumeMessage): number {
  const count = (msg.properties.headers as Record<string, unknown> | undefined)?.['x-delivery-count'];
  return typeof count === 'number' ? count : msg.fields.redelivered ? 1 : 0;
}

export async function startRabbitRetrying(
  conn: ChannelModel,
  queue: string,
  work: (id: string) => Promise<void>,
  sink: GroupSink,
  options: RetryingGroupOptions,
): Promise<RabbitRetrying> {
  const channel = await conn.createChannel();
  channel.on('error', (err: Error) => console.error(`  rabbitmq retrying group: ${errorText(err)}`));
  await channel.prefetch(options.inFlight);
  const marks = new EffectMarks();
  await channel.consume(
    queue,
    (msg) => {
      if (!msg) return;
      const id = decodeId(msg.content);
      sink.started(id);
      handleOnce(marks, id, work).then(
        (outcome) => {
          channel.ack(msg);
          if (outcome === 'done') sink.done(1);
        },
        () => channel.nack(msg, false, priorDeliveries(msg) + 1 < options.attempts),
      );
    },
    { noAck: false },
  );
  return {
    retry: `quorum queue redelivery: NACK with requeue (at once, no delay in 3.10), ${options.attempts} deliveries at most (x-delivery-count), prefetch ${options.inFlight}; no per-key order`,
    marks,
    channel,
  };
}
