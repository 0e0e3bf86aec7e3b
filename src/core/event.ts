import type { StandardSchemaV1 } from './standard-schema.js';
import { EventValidationError, FactlineError, type FieldIssue } from './errors.js';

/** What `defineEvent` takes. */
export interface EventSpec<Type extends string, S extends StandardSchemaV1> {
  /** Dotted, past tense: `shop.order.placed`. */
  readonly type: Type;
  /** Schema version of `data`, a positive integer. */
  readonly version: number;
  readonly schema: S;
  /** The entity the event is about (CloudEvents `subject`). */
  readonly subject: (data: StandardSchemaV1.InferOutput<S>) => string;
  /** Key of per-entity order; defaults to the subject. */
  readonly partitionKey?: (data: StandardSchemaV1.InferOutput<S>) => string;
}

/** A versioned event type. Handlers and publishers are typed from its schema. */
export interface EventDefinition<Type extends string = string, Input = unknown, Data = unknown> {
  readonly kind: 'event';
  readonly type: Type;
  readonly version: number;
  readonly schema: StandardSchemaV1<Input, Data>;
  // Method syntax on purpose: a definition of specific data stays assignable to EventDefinition.
  subject(data: Data): string;
  partitionKey(data: Data): string;
}

/** The data a handler receives for a definition. */
export type DataOf<D> = D extends EventDefinition<string, unknown, infer Data> ? Data : never;
/** The data a publisher passes for a definition. */
export type InputOf<D> = D extends EventDefinition<string, infer Input, unknown> ? Input : never;

const TYPE_PATTERN = /^[a-z0-9]+([._-][a-z0-9]+)*$/i;

export function defineEvent<Type extends string, S extends StandardSchemaV1>(
  spec: EventSpec<Type, S>,
): EventDefinition<Type, StandardSchemaV1.InferInput<S>, StandardSchemaV1.InferOutput<S>> {
  if (!TYPE_PATTERN.test(spec.type)) {
    throw new FactlineError('INVALID_DEFINITION', `event type "${spec.type}" must be dotted words like shop.order.placed`);
  }
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new FactlineError('INVALID_DEFINITION', `event ${spec.type}: version must be a positive integer, got ${spec.version}`);
  }
  if (typeof spec.schema?.['~standard']?.validate !== 'function') {
    throw new FactlineError('INVALID_DEFINITION', `event ${spec.type}: schema must implement Standard Schema (zod, valibot, arktype...)`);
  }
  return {
    kind: 'event',
    type: spec.type,
    version: spec.version,
    schema: spec.schema as StandardSchemaV1<StandardSchemaV1.InferInput<S>, StandardSchemaV1.InferOutput<S>>,
    subject: spec.subject,
    partitionKey: spec.partitionKey ?? spec.subject,
  };
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((p) => (typeof p === 'object' && p !== null && 'key' in p ? p.key : p))
    .map(String)
    .join('.');
}

function failure(type: string, verb: string, issues: ReadonlyArray<StandardSchemaV1.Issue>): EventValidationError {
  const fields: FieldIssue[] = issues.map((i) => ({ field: pathOf(i), message: i.message }));
  return new EventValidationError(type, verb, fields);
}

/**
 * Validates `data` against the definition's schema and returns the schema's output: directly
 * when the schema validates synchronously (most do), else as a promise. Throws (or rejects with)
 * EventValidationError naming each failing field.
 */
export function validateData<Data>(def: EventDefinition<string, unknown, Data>, data: unknown, verb: string): Data | Promise<Data> {
  const result = def.schema['~standard'].validate(data);
  if (result instanceof Promise) {
    return result.then((r) => {
      if (r.issues) throw failure(def.type, verb, r.issues);
      return r.value;
    });
  }
  if (result.issues) throw failure(def.type, verb, result.issues);
  return result.value;
}
