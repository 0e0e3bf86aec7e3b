import type { StandardSchemaV1 } from './standard-schema.js';
import { defineEvent, type EventDefinition } from './event.js';

/** What `defineCommand` takes. */
export interface CommandSpec<Type extends string, S extends StandardSchemaV1> {
  /** Dotted, imperative: `shop.payment.authorize`. */
  readonly type: Type;
  /** Schema version of `data`, a positive integer. */
  readonly version: number;
  readonly schema: S;
  /** The entity the command is for: its CloudEvents `subject` and its partition key. */
  readonly target: (data: StandardSchemaV1.InferOutput<S>) => string;
}

/**
 * A versioned command type: a request with exactly one handler in the system, which accepts or
 * rejects it. Sent with `app.send`, handled with `group.handle` or `group.handleEffect`.
 */
export interface CommandDefinition<Type extends string = string, Input = unknown, Data = unknown> {
  readonly kind: 'command';
  readonly type: Type;
  readonly version: number;
  readonly schema: StandardSchemaV1<Input, Data>;
  target(data: Data): string;
  subject(data: Data): string;
  partitionKey(data: Data): string;
}

/** The data a command handler receives for a definition. */
export type CommandDataOf<C> = C extends CommandDefinition<string, unknown, infer Data> ? Data : never;
/** The data a sender passes for a definition. */
export type CommandInputOf<C> = C extends CommandDefinition<string, infer Input, unknown> ? Input : never;

export function defineCommand<Type extends string, S extends StandardSchemaV1>(
  spec: CommandSpec<Type, S>,
): CommandDefinition<Type, StandardSchemaV1.InferInput<S>, StandardSchemaV1.InferOutput<S>> {
  // The same checks as an event's; a command travels in the same envelope.
  const asEvent = defineEvent({ type: spec.type, version: spec.version, schema: spec.schema, subject: spec.target });
  return { ...asEvent, kind: 'command', target: spec.target };
}

/** The command as the log and the consumer runtime see it: an envelope like an event's. */
export function commandAsEvent<C extends CommandDefinition>(def: C): EventDefinition<C['type'], CommandInputOf<C>, CommandDataOf<C>> {
  return def as unknown as EventDefinition<C['type'], CommandInputOf<C>, CommandDataOf<C>>;
}
