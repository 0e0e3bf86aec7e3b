import type { StandardSchemaV1 } from './standard-schema.js';
import { EventValidationError, FactlineError, type FieldIssue } from './errors.js';
import { isMode, MODES, type CompatibilityMode, type JsonSchemaValue } from './compatibility-mode.js';

/** What `defineEvent` takes. */
export interface EventSpec<Type extends string, S extends StandardSchemaV1, Prev extends EventDefinition<Type> = never> {
  /** Dotted, past tense: `shop.order.placed`. */
  readonly type: Type;
  /** Schema version of `data`, a positive integer. */
  readonly version: number;
  readonly schema: S;
  /** The entity the event is about (CloudEvents `subject`). */
  readonly subject: (data: StandardSchemaV1.InferOutput<S>) => string;
  /** Key of per-entity order; defaults to the subject. */
  readonly partitionKey?: (data: StandardSchemaV1.InferOutput<S>) => string;
  /**
   * The previous version of this type, whose events this version can upcast: a handler of this
   * version also receives events published with `from` (and, through its own `from`, with older
   * ones), upcast through the chain. Needs `upcast`.
   */
  readonly from?: Prev;
  /** Turns the previous version's data into this version's input; pure, no I/O. Runs before this version's schema. */
  readonly upcast?: (data: DataOf<Prev>) => StandardSchemaV1.InferInput<S>;
  /**
   * The JSON Schema of this version's data, for schema libraries without Standard JSON Schema
   * (`~standard.jsonSchema`). Default: the library's own, `~standard.jsonSchema.input()`.
   */
  readonly jsonSchema?: JsonSchemaValue;
  /** How the versions of this type may change (default `BACKWARD`; docs/schemas.md). */
  readonly compatibility?: CompatibilityMode;
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
  /** The version this one upcasts (`from`), if any. */
  readonly previous?: EventDefinition<Type>;
  /** The previous version's data to this version's input (present with `previous`). */
  upcast?(data: unknown): unknown;
  /** The JSON Schema given in the spec, if any (else the schema library's). */
  readonly jsonSchema?: JsonSchemaValue;
  /** The compatibility mode given in the spec, if any (the registry applies BACKWARD otherwise). */
  readonly compatibility?: CompatibilityMode;
}

/** The data a handler receives for a definition. */
export type DataOf<D> = D extends EventDefinition<string, unknown, infer Data> ? Data : never;
/** The data a publisher passes for a definition. */
export type InputOf<D> = D extends EventDefinition<string, infer Input, unknown> ? Input : never;

const TYPE_PATTERN = /^[a-z0-9]+([._-][a-z0-9]+)*$/i;

export function defineEvent<Type extends string, S extends StandardSchemaV1, Prev extends EventDefinition<Type> = never>(
  spec: EventSpec<Type, S, Prev>,
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
  checkVersioning(spec as unknown as VersioningSpec);
  return {
    kind: 'event',
    type: spec.type,
    version: spec.version,
    schema: spec.schema as StandardSchemaV1<StandardSchemaV1.InferInput<S>, StandardSchemaV1.InferOutput<S>>,
    subject: spec.subject,
    partitionKey: spec.partitionKey ?? spec.subject,
    ...(spec.from ? { previous: spec.from, upcast: spec.upcast as (data: unknown) => unknown } : {}),
    ...(spec.jsonSchema !== undefined ? { jsonSchema: spec.jsonSchema } : {}),
    ...(spec.compatibility !== undefined ? { compatibility: spec.compatibility } : {}),
  };
}

interface VersioningSpec {
  readonly type: string;
  readonly version: number;
  readonly from?: EventDefinition;
  readonly upcast?: unknown;
  readonly compatibility?: unknown;
  readonly jsonSchema?: unknown;
}

function checkVersioning(spec: VersioningSpec): void {
  const { from, upcast } = spec;
  const at = `event ${spec.type} version ${spec.version}`;
  if (from !== undefined) {
    if (from?.kind !== 'event' || from.type !== spec.type) {
      throw new FactlineError('INVALID_DEFINITION', `${at}: from must be an earlier version of ${spec.type} made by defineEvent`);
    }
    if (from.version >= spec.version) throw new FactlineError('INVALID_DEFINITION', `${at}: from is version ${from.version}; it must be an earlier version`);
    if (typeof upcast !== 'function') throw new FactlineError('INVALID_DEFINITION', `${at}: from needs upcast, a function from version ${from.version}'s data to this version's`);
  } else if (upcast !== undefined) {
    throw new FactlineError('INVALID_DEFINITION', `${at}: upcast needs from, the version it upcasts`);
  }
  if (spec.compatibility !== undefined && !isMode(spec.compatibility)) {
    throw new FactlineError('INVALID_DEFINITION', `${at}: compatibility must be one of ${MODES.join(', ')}, got ${JSON.stringify(spec.compatibility)}`);
  }
  const js = spec.jsonSchema;
  if (js !== undefined && typeof js !== 'boolean' && (typeof js !== 'object' || js === null || Array.isArray(js))) {
    throw new FactlineError('INVALID_DEFINITION', `${at}: jsonSchema must be a JSON Schema object`);
  }
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
