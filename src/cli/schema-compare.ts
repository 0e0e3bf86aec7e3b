import { readFileSync } from 'node:fs';
import type { SchemaBreak } from '../schema/breaks.js';
import { compareSchemas } from '../schema/compatibility.js';
import { isObject, type JsonSchema } from '../schema/json-schema.js';
import { isMode, MODES, type CompatibilityMode } from '../schema/modes.js';
import { UsageError } from './usage-error.js';

/** A JSON Schema file: a usage error (exit 2) when it cannot be read or is not a schema. */
export function readSchemaFile(file: string): JsonSchema {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'boolean' && !isObject(value)) throw new UsageError(`${file} is not a JSON Schema (an object or a boolean)`);
  return value as JsonSchema;
}

export function parseMode(value: string | undefined, fallback: CompatibilityMode = 'BACKWARD'): CompatibilityMode {
  if (value === undefined) return fallback;
  const upper = value.toUpperCase();
  if (!isMode(upper)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}; got ${JSON.stringify(value)}`);
  return upper;
}

export interface CompareResult {
  readonly mode: CompatibilityMode;
  readonly older: string;
  readonly newer: string;
  readonly compatible: boolean;
  readonly breaks: readonly SchemaBreak[];
}

export function compareFiles(older: string, newer: string, mode: CompatibilityMode): CompareResult {
  const breaks = compareSchemas(readSchemaFile(older), readSchemaFile(newer), mode, { olderLabel: older, newerLabel: newer });
  return { mode, older, newer, compatible: breaks.length === 0, breaks };
}

/** One line per break: the field, the rule, the sentence. */
export function renderBreaks(breaks: readonly SchemaBreak[]): string {
  return breaks.map((b) => `  ${b.path || '(data)'}  [${b.rule}]  ${b.message}`).join('\n');
}

export function renderCompare(r: CompareResult): string {
  if (r.compatible) return `compatible under ${r.mode}: ${r.newer} can replace ${r.older}`;
  return `${r.breaks.length} breaking change${r.breaks.length === 1 ? '' : 's'} under ${r.mode}:\n${renderBreaks(r.breaks)}`;
}
