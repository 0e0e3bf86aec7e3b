import type { CompatibilityMode, Direction } from './modes.js';
import type { Resolver } from './json-schema.js';

/** The rules the checker applies; docs/schemas.md has one row per rule. */
export type RuleId =
  | 'type-narrowed' | 'null-removed' | 'any-value' | 'rejected-value'
  | 'required-added' | 'property-rejected' | 'additional-narrowed'
  | 'enum-value' | 'union-branch'
  | 'lower-bound-raised' | 'upper-bound-lowered' | 'multiple-of' | 'pattern' | 'format'
  | 'unique-items' | 'tuple-items' | 'unsupported-keyword' | 'ref-unresolved';

/** One incompatibility: where, which rule, and a sentence that says what breaks for whom. */
export interface SchemaBreak {
  /** Dotted path of the field (`address.city`, `items[].sku`, `pair[1]`); empty for the data itself. */
  readonly path: string;
  readonly rule: RuleId;
  readonly direction: Direction;
  readonly mode: CompatibilityMode;
  /** "removing required field total breaks FORWARD: consumers of v1 require it" */
  readonly message: string;
}

/** One comparison: the writer's data must be accepted by the reader's schema. */
export interface Comparison {
  readonly direction: Direction;
  readonly mode: CompatibilityMode;
  /** Names of the two versions in messages (`v1`, `v2`, or file names). */
  readonly olderLabel: string;
  readonly newerLabel: string;
  readonly writer: Resolver;
  readonly reader: Resolver;
  /** Reference pairs being compared: a pair met again is assumed compatible (recursive schemas). */
  readonly visiting: Set<string>;
}

/** Whether the writer side is the older version (backward: newer consumers read older events). */
export const writerIsOlder = (c: Comparison): boolean => c.direction === 'backward';

/** The field as messages name it. */
export function fieldName(path: string): string {
  return path === '' ? 'the event data' : `field ${path}`;
}

/**
 * A break whose change reads `whenOlderWrites` when the writer is the older version (a backward
 * check) and `whenNewerWrites` otherwise, followed by its consequence.
 */
export function breakOf(
  c: Comparison, path: string, rule: RuleId, change: { older: string; newer: string }, consequence: { older: string; newer: string },
): SchemaBreak {
  const older = writerIsOlder(c);
  const what = older ? change.older : change.newer;
  const why = older ? consequence.older : consequence.newer;
  return { path, rule, direction: c.direction, mode: c.mode, message: `${what} breaks ${c.mode}: ${why}` };
}

/** Consequence phrases: who reads what. */
export function readers(c: Comparison): { older: string; newer: string } {
  return {
    older: `consumers of ${c.newerLabel} cannot read events of ${c.olderLabel}`,
    newer: `consumers of ${c.olderLabel} cannot read events of ${c.newerLabel}`,
  };
}

export function describeValue(v: unknown): string {
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
