/**
 * The attribute and metric names Factline writes, in one table, pinned to the OpenTelemetry
 * messaging semantic conventions after v1.44.0 (status Development; `messaging.system` is not yet
 * renamed `messaging.system.name`) and the CloudEvents span conventions. Names under `factline.`
 * are Factline's own.
 */
export const ATTR = {
  system: 'messaging.system',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  messageId: 'messaging.message.id',
  conversationId: 'messaging.message.conversation_id',
  consumerGroup: 'messaging.consumer.group.name',
  errorType: 'error.type',
  ceId: 'cloudevents.event_id',
  ceSource: 'cloudevents.event_source',
  ceType: 'cloudevents.event_type',
  ceSubject: 'cloudevents.event_subject',
  ceSpecVersion: 'cloudevents.event_spec_version',
  attempt: 'factline.attempt',
  subject: 'factline.subject',
  causationId: 'factline.causation_id',
} as const;

/** `messaging.system`: no well-known value fits a log in the application's database. */
export const SYSTEM = 'factline';

export const METRIC = {
  sent: 'messaging.client.sent.messages',
  consumed: 'messaging.client.consumed.messages',
  publishDuration: 'messaging.client.operation.duration',
  processDuration: 'messaging.process.duration',
  retries: 'factline.retries',
  deadLetters: 'factline.dead_letters.created',
  lag: 'factline.consumer.lag',
  parkedEvents: 'factline.parked.events',
  parkedKeys: 'factline.parked.keys',
  retrying: 'factline.retrying.events',
  openDeadLetters: 'factline.dead_letters.open',
  oldestDeadLetter: 'factline.dead_letters.oldest_age',
} as const;

/** The conventions' advice for messaging duration histograms, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
