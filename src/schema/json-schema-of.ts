import type { EventDefinition } from '../core/event.js';
import { FactlineError } from '../core/errors.js';
import type { JsonSchema } from './json-schema.js';

interface StandardJsonSchema {
  readonly input?: (options: { target: string }) => unknown;
}

const cache = new WeakMap<EventDefinition, JsonSchema>();

/**
 * The JSON Schema (2020-12) of a definition's data: the one given as `jsonSchema`, else the
 * schema library's own through Standard JSON Schema (`~standard.jsonSchema.input`), which
 * zod 4, arktype and valibot (wrapped with `toStandardJsonSchema` from @valibot/to-json-schema)
 * implement. The input form: what a consumer's validation accepts. Throws NO_JSON_SCHEMA, saying
 * what to do, when neither is there.
 */
export function jsonSchemaOf(def: EventDefinition): JsonSchema {
  const cached = cache.get(def);
  if (cached !== undefined) return cached;
  let schema: unknown = def.jsonSchema;
  if (schema === undefined) {
    const standard = (def.schema['~standard'] as { jsonSchema?: StandardJsonSchema; vendor?: string });
    if (typeof standard.jsonSchema?.input !== 'function') {
      throw new FactlineError('NO_JSON_SCHEMA', `event ${def.type} version ${def.version}: its schema (${standard.vendor ?? 'unknown library'}) does not implement Standard JSON Schema (~standard.jsonSchema); with valibot wrap it in toStandardJsonSchema() from @valibot/to-json-schema, or pass the JSON Schema yourself as jsonSchema in defineEvent`);
    }
    try {
      schema = standard.jsonSchema.input({ target: 'draft-2020-12' });
    } catch (err) {
      throw new FactlineError('NO_JSON_SCHEMA', `event ${def.type} version ${def.version}: its schema library could not express it as JSON Schema (${(err as Error).message}); pass the JSON Schema yourself as jsonSchema in defineEvent`, { cause: err });
    }
  }
  const out = schema as JsonSchema;
  cache.set(def, out);
  return out;
}
