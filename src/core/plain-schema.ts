import type { StandardSchemaV1 } from './standard-schema.js';

/**
 * A Standard Schema for Factline's own event types: an object whose listed fields are strings
 * (the ones ending in `?` may be absent). Keeps core free of any schema library.
 */
export function stringFields<T extends Record<string, string | undefined>>(fields: readonly string[]): StandardSchemaV1<T, T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'factline',
      validate(value: unknown) {
        if (typeof value !== 'object' || value === null) return { issues: [{ message: 'expected an object' }] };
        const issues: StandardSchemaV1.Issue[] = [];
        for (const f of fields) {
          const optional = f.endsWith('?');
          const name = optional ? f.slice(0, -1) : f;
          const v = (value as Record<string, unknown>)[name];
          if (v === undefined && optional) continue;
          if (typeof v !== 'string') issues.push({ message: 'expected a string', path: [name] });
        }
        return issues.length ? { issues } : { value: value as T };
      },
    },
  };
}

/** The JSON Schema of `stringFields(fields)`: an object of string properties. */
export function stringFieldsJsonSchema(fields: readonly string[]) {
  const names = fields.map((f) => (f.endsWith('?') ? f.slice(0, -1) : f));
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
    required: fields.filter((f) => !f.endsWith('?')),
  };
}
