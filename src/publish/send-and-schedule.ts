import type { Tx } from '../core/engine.js';
import type { Envelope, NewEvent } from '../core/envelope.js';
import type { EventDefinition } from '../core/event.js';
import { commandAsEvent, type CommandDefinition } from '../core/command.js';
import { FactlineError, TransactionEndedError } from '../core/errors.js';
import type { CommandRecord } from '../core/process-store.js';
import { dueAt, publishPart, type ScheduleOptions, type ScheduledDelivery } from '../schedule/schedule-options.js';
import type { Cause, PublishOptions } from './build-envelope.js';
import { endedMessage, type Scope } from './scope.js';

/**
 * Validates and builds the envelope of `data` (the app's own, with its limits and partitions);
 * registers its schema in `tx` (a second transaction cannot start while `tx` is open on SQLite).
 */
export type EnvelopeFor = (definition: EventDefinition, data: unknown, options: PublishOptions | undefined, cause: Cause | undefined, span: unknown, tx: Tx<unknown>) => Promise<NewEvent>;

/** The pending record of a sent (or scheduled) command. */
function commandRow(event: NewEvent, sentAt: number): CommandRecord {
  const e = event.envelope;
  return { id: e.id, source: e.source, type: e.type, key: e.partitionkey, sentAt, status: 'pending' };
}

/**
 * `send` and `schedule` in a transaction: the command appended with its pending record, or the
 * event (or command) stored in the schedule, in `tx`, which is `scope`'s transaction.
 */
export function sendAndSchedule(envelopeFor: EnvelopeFor, now: () => number) {
  return {
    async schedule(tx: Tx<unknown>, scope: Scope, definition: EventDefinition | CommandDefinition, data: unknown, options: ScheduleOptions): Promise<ScheduledDelivery> {
      if (scope.closed) throw new TransactionEndedError(endedMessage(scope, `schedule(${definition.type})`));
      const due = dueAt(definition.type, options, now());
      const event = await envelopeFor(commandAsEvent(definition as CommandDefinition), data, publishPart(options), scope.cause, scope.span?.context, tx);
      await tx.schedule([{ event, dueAt: due }]);
      if (definition.kind === 'command') await tx.trackCommands([commandRow(event, due)]);
      return { id: event.envelope.id, dueAt: due, envelope: event.envelope };
    },

    async send(tx: Tx<unknown>, scope: Scope, command: CommandDefinition, data: unknown, options: PublishOptions | undefined): Promise<Envelope> {
      if (command?.kind !== 'command') throw new FactlineError('INVALID_ARGUMENT', `app.send(${String(command?.type)}): not a command; define it with defineCommand(), or publish an event with app.publish()`);
      if (scope.closed) throw new TransactionEndedError(endedMessage(scope, `send(${command.type})`));
      const event = await envelopeFor(commandAsEvent(command), data, options, scope.cause, scope.span?.context, tx);
      const [stored] = await tx.append([event]);
      await tx.trackCommands([commandRow(event, now())]);
      return stored!.envelope;
    },
  };
}
