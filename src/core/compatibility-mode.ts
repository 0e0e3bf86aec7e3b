/** Compatibility modes of an event type, in Confluent Schema Registry's vocabulary (docs/schemas.md). */
export const MODES = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const;
export type CompatibilityMode = (typeof MODES)[number];

export function isMode(x: unknown): x is CompatibilityMode {
  return typeof x === 'string' && (MODES as readonly string[]).includes(x);
}

/** A JSON Schema as plain JSON: an object or a boolean. */
export type JsonSchemaValue = boolean | { readonly [keyword: string]: unknown };
