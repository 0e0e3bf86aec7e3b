import type { RuleId } from '../../src/schema/breaks.js';
import type { JsonSchema } from '../../src/schema/json-schema.js';

/**
 * Schema pairs (older, newer) with the expected verdict of each direction: `true` compatible,
 * a rule id when incompatible by that rule (the first break reported), `false` incompatible
 * whatever the rule. The test derives all seven modes from the two directions.
 */
export interface CorpusPair {
  readonly name: string;
  readonly older: JsonSchema;
  readonly newer: JsonSchema;
  readonly backward: true | false | RuleId;
  readonly forward: true | false | RuleId;
}

const S = { type: 'string' };
const N = { type: 'number' };
const I = { type: 'integer' };
const B = { type: 'boolean' };
const NULL = { type: 'null' };
const obj = (properties: Record<string, JsonSchema>, required: string[] = [], extra: Record<string, unknown> = {}) => ({ type: 'object', properties, required, ...extra });
const closed = { additionalProperties: false };
const arr = (items: JsonSchema, extra: Record<string, unknown> = {}) => ({ type: 'array', items, ...extra });
const tuple = (...prefixItems: JsonSchema[]) => ({ type: 'array', prefixItems, items: false });
const field = (schema: JsonSchema) => obj({ id: S, f: schema }, ['id', 'f']);

export const CORPUS: readonly CorpusPair[] = [
  // objects, open content model
  { name: 'identical schemas', older: obj({ a: S }, ['a']), newer: obj({ a: S }, ['a']), backward: true, forward: true },
  { name: 'adding an optional field', older: obj({ a: S }, ['a']), newer: obj({ a: S, b: N }, ['a']), backward: true, forward: true },
  { name: 'adding a required field', older: obj({ a: S }, ['a']), newer: obj({ a: S, b: N }, ['a', 'b']), backward: 'required-added', forward: true },
  { name: 'adding a required field with a default', older: obj({ a: S }, ['a']), newer: obj({ a: S, b: { type: 'number', default: 0 } }, ['a', 'b']), backward: true, forward: true },
  { name: 'removing an optional field', older: obj({ a: S, b: N }, ['a']), newer: obj({ a: S }, ['a']), backward: true, forward: true },
  { name: 'removing a required field', older: obj({ a: S, b: N }, ['a', 'b']), newer: obj({ a: S }, ['a']), backward: true, forward: 'required-added' },
  { name: 'making an optional field required', older: obj({ a: S, b: N }, ['a']), newer: obj({ a: S, b: N }, ['a', 'b']), backward: 'required-added', forward: true },
  { name: 'making a required field optional', older: obj({ a: S, b: N }, ['a', 'b']), newer: obj({ a: S, b: N }, ['a']), backward: true, forward: 'required-added' },
  { name: 'reordering required', older: obj({ a: S, b: N }, ['a', 'b']), newer: obj({ a: S, b: N }, ['b', 'a']), backward: true, forward: true },
  // objects, closed content model
  { name: 'closed: adding an optional field', older: obj({ a: S }, ['a'], closed), newer: obj({ a: S, b: N }, ['a'], closed), backward: true, forward: 'property-rejected' },
  { name: 'closed: removing an optional field', older: obj({ a: S, b: N }, ['a'], closed), newer: obj({ a: S }, ['a'], closed), backward: 'property-rejected', forward: true },
  { name: 'closed: adding a required field with a default', older: obj({ a: S }, ['a'], closed), newer: obj({ a: S, b: { type: 'number', default: 1 } }, ['a', 'b'], closed), backward: true, forward: 'property-rejected' },
  { name: 'open to closed, same fields', older: obj({ a: S }, ['a']), newer: obj({ a: S }, ['a'], closed), backward: true, forward: true },
  { name: 'a forbidden field (false) becomes allowed', older: obj({ a: S, b: false }, ['a']), newer: obj({ a: S, b: S }, ['a']), backward: true, forward: 'property-rejected' },
  // maps: additionalProperties and patternProperties
  { name: 'map values widened', older: { type: 'object', additionalProperties: S }, newer: { type: 'object', additionalProperties: { type: ['string', 'number'] } }, backward: true, forward: 'type-narrowed' },
  { name: 'map values narrowed', older: { type: 'object', additionalProperties: { type: ['string', 'number'] } }, newer: { type: 'object', additionalProperties: S }, backward: 'type-narrowed', forward: true },
  { name: 'a map becomes closed', older: { type: 'object', additionalProperties: S }, newer: { type: 'object', additionalProperties: false }, backward: 'additional-narrowed', forward: true },
  {
    name: 'partially open: adding a field its pattern covers',
    older: obj({ a: S }, ['a'], { patternProperties: { '^x_': S }, additionalProperties: false }),
    newer: obj({ a: S, x_1: S }, ['a'], { patternProperties: { '^x_': S }, additionalProperties: false }),
    backward: true, forward: true,
  },
  // types
  { name: 'changing a type', older: field(S), newer: field(N), backward: 'type-narrowed', forward: 'type-narrowed' },
  { name: 'widening a type to a list', older: field(S), newer: field({ type: ['string', 'number'] }), backward: true, forward: 'type-narrowed' },
  { name: 'narrowing a type list', older: field({ type: ['string', 'number'] }), newer: field(S), backward: 'type-narrowed', forward: true },
  { name: 'integer to number', older: field(I), newer: field(N), backward: true, forward: 'type-narrowed' },
  { name: 'number to integer', older: field(N), newer: field(I), backward: 'type-narrowed', forward: true },
  { name: 'integer with a minimum to number with the same', older: field({ type: 'integer', minimum: 0 }), newer: field({ type: 'number', minimum: 0 }), backward: true, forward: 'type-narrowed' },
  { name: 'untyped to typed', older: field({}), newer: field(S), backward: 'any-value', forward: true },
  { name: 'typed to untyped', older: field(S), newer: field({}), backward: true, forward: 'any-value' },
  { name: 'whole data: object to untyped', older: { type: 'object' }, newer: {}, backward: true, forward: 'any-value' },
  // nullable
  { name: 'making a field nullable (type list)', older: field(S), newer: field({ type: ['string', 'null'] }), backward: true, forward: 'null-removed' },
  { name: 'making a field nullable (anyOf)', older: field(S), newer: field({ anyOf: [S, NULL] }), backward: true, forward: 'null-removed' },
  { name: 'removing nullable (type list)', older: field({ type: ['string', 'null'] }), newer: field(S), backward: 'null-removed', forward: true },
  { name: 'removing nullable (anyOf)', older: field({ anyOf: [S, NULL] }), newer: field(S), backward: 'null-removed', forward: true },
  { name: 'nullable written as a type list, read as anyOf', older: field({ type: ['string', 'null'] }), newer: field({ anyOf: [S, NULL] }), backward: true, forward: true },
  // enums and consts
  { name: 'adding an enum value', older: field({ type: 'string', enum: ['a', 'b'] }), newer: field({ type: 'string', enum: ['a', 'b', 'c'] }), backward: true, forward: 'enum-value' },
  { name: 'removing an enum value', older: field({ type: 'string', enum: ['a', 'b', 'c'] }), newer: field({ type: 'string', enum: ['a', 'b'] }), backward: 'enum-value', forward: true },
  { name: 'reordering enum values', older: field({ enum: ['a', 'b'] }), newer: field({ enum: ['b', 'a'] }), backward: true, forward: true },
  { name: 'changing a const', older: field({ const: 'x' }), newer: field({ const: 'y' }), backward: 'enum-value', forward: 'enum-value' },
  { name: 'an enum opened to any string', older: field({ type: 'string', enum: ['a', 'b'] }), newer: field(S), backward: true, forward: 'enum-value' },
  { name: 'a string closed to an enum', older: field(S), newer: field({ type: 'string', enum: ['a'] }), backward: 'enum-value', forward: true },
  { name: 'enum values checked against a pattern', older: field({ enum: ['AB', 'CD'] }), newer: field({ type: 'string', pattern: '^[A-Z]{2}$' }), backward: true, forward: 'enum-value' },
  // unions
  { name: 'adding a union branch', older: field({ anyOf: [S, N] }), newer: field({ anyOf: [S, N, B] }), backward: true, forward: 'union-branch' },
  { name: 'removing a union branch', older: field({ anyOf: [S, N, B] }), newer: field({ anyOf: [S, N] }), backward: 'union-branch', forward: true },
  { name: 'oneOf gains null', older: field({ oneOf: [S, I] }), newer: field({ oneOf: [S, I, NULL] }), backward: true, forward: 'union-branch' },
  {
    name: 'a discriminated union gains a variant',
    older: field({ anyOf: [obj({ kind: { const: 'card' }, last4: S }, ['kind', 'last4']), obj({ kind: { const: 'cash' } }, ['kind'])] }),
    newer: field({ anyOf: [obj({ kind: { const: 'card' }, last4: S }, ['kind', 'last4']), obj({ kind: { const: 'cash' } }, ['kind']), obj({ kind: { const: 'voucher' }, code: S }, ['kind', 'code'])] }),
    backward: true, forward: false,
  },
  { name: 'a union reordered', older: field({ anyOf: [S, N] }), newer: field({ anyOf: [N, S] }), backward: true, forward: true },
  { name: 'a type becomes a union containing it', older: field(N), newer: field({ anyOf: [N, S] }), backward: true, forward: 'type-narrowed' },
  // nested objects
  { name: 'nested: adding a required field', older: obj({ address: obj({ city: S }, ['city']) }, ['address']), newer: obj({ address: obj({ city: S, zip: S }, ['city', 'zip']) }, ['address']), backward: 'required-added', forward: true },
  { name: 'nested: changing a type', older: obj({ address: obj({ city: S }, ['city']) }, ['address']), newer: obj({ address: obj({ city: N }, ['city']) }, ['address']), backward: 'type-narrowed', forward: 'type-narrowed' },
  { name: 'nested: adding an optional field', older: obj({ address: obj({ city: S }, ['city']) }, ['address']), newer: obj({ address: obj({ city: S, zip: S }, ['city']) }, ['address']), backward: true, forward: true },
  // arrays and tuples
  { name: 'array items change type', older: field(arr(S)), newer: field(arr(N)), backward: 'type-narrowed', forward: 'type-narrowed' },
  { name: 'array items widened', older: field(arr(S)), newer: field(arr({ type: ['string', 'number'] })), backward: true, forward: 'type-narrowed' },
  { name: 'array item objects gain a required field', older: field(arr(obj({ sku: S }, ['sku']))), newer: field(arr(obj({ sku: S, qty: I }, ['sku', 'qty']))), backward: 'required-added', forward: true },
  { name: 'array item field becomes nullable', older: field(arr(obj({ sku: S, price: N }, ['sku', 'price']))), newer: field(arr(obj({ sku: S, price: { type: ['number', 'null'] } }, ['sku', 'price']))), backward: true, forward: 'null-removed' },
  { name: 'maxItems lowered', older: field(arr(S, { maxItems: 10 })), newer: field(arr(S, { maxItems: 5 })), backward: 'upper-bound-lowered', forward: true },
  { name: 'maxItems removed', older: field(arr(S, { maxItems: 10 })), newer: field(arr(S)), backward: true, forward: 'upper-bound-lowered' },
  { name: 'minItems raised', older: field(arr(S)), newer: field(arr(S, { minItems: 1 })), backward: 'lower-bound-raised', forward: true },
  { name: 'uniqueItems added', older: field(arr(S)), newer: field(arr(S, { uniqueItems: true })), backward: 'unique-items', forward: true },
  { name: 'uniqueItems removed', older: field(arr(S, { uniqueItems: true })), newer: field(arr(S)), backward: true, forward: 'unique-items' },
  { name: 'tuple gains a position', older: field(tuple(S, N)), newer: field(tuple(S, N, B)), backward: true, forward: 'tuple-items' },
  { name: 'tuple loses a position', older: field(tuple(S, N, B)), newer: field(tuple(S, N)), backward: 'tuple-items', forward: true },
  { name: 'tuple item changes type', older: field(tuple(S, N)), newer: field(tuple(S, S)), backward: 'type-narrowed', forward: 'type-narrowed' },
  { name: 'tuple opened to an array of its item type', older: field(tuple(S, S)), newer: field(arr(S)), backward: true, forward: 'tuple-items' },
  // numeric constraints
  { name: 'minimum raised', older: field({ type: 'number', minimum: 0 }), newer: field({ type: 'number', minimum: 1 }), backward: 'lower-bound-raised', forward: true },
  { name: 'minimum lowered', older: field({ type: 'number', minimum: 1 }), newer: field({ type: 'number', minimum: 0 }), backward: true, forward: 'lower-bound-raised' },
  { name: 'maximum lowered', older: field({ type: 'number', maximum: 100 }), newer: field({ type: 'number', maximum: 50 }), backward: 'upper-bound-lowered', forward: true },
  { name: 'maximum added', older: field(N), newer: field({ type: 'number', maximum: 10 }), backward: 'upper-bound-lowered', forward: true },
  { name: 'minimum made exclusive', older: field({ type: 'number', minimum: 0 }), newer: field({ type: 'number', exclusiveMinimum: 0 }), backward: 'lower-bound-raised', forward: true },
  { name: 'multipleOf added', older: field(N), newer: field({ type: 'number', multipleOf: 0.5 }), backward: 'multiple-of', forward: true },
  { name: 'multipleOf refined from 2 to 4', older: field({ type: 'integer', multipleOf: 2 }), newer: field({ type: 'integer', multipleOf: 4 }), backward: 'multiple-of', forward: true },
  { name: 'an integer read as a multiple of 1', older: field(I), newer: field({ type: 'number', multipleOf: 1 }), backward: true, forward: 'type-narrowed' },
  // string constraints and formats
  { name: 'maxLength lowered', older: field({ type: 'string', maxLength: 100 }), newer: field({ type: 'string', maxLength: 50 }), backward: 'upper-bound-lowered', forward: true },
  { name: 'minLength added', older: field(S), newer: field({ type: 'string', minLength: 1 }), backward: 'lower-bound-raised', forward: true },
  { name: 'pattern added', older: field(S), newer: field({ type: 'string', pattern: '^[A-Z]+$' }), backward: 'pattern', forward: true },
  { name: 'pattern removed', older: field({ type: 'string', pattern: '^[A-Z]+$' }), newer: field(S), backward: true, forward: 'pattern' },
  { name: 'pattern changed', older: field({ type: 'string', pattern: '^[A-Z]+$' }), newer: field({ type: 'string', pattern: '^[a-z]+$' }), backward: 'pattern', forward: 'pattern' },
  { name: 'format added', older: field(S), newer: field({ type: 'string', format: 'email' }), backward: 'format', forward: true },
  { name: 'format removed', older: field({ type: 'string', format: 'email' }), newer: field(S), backward: true, forward: 'format' },
  { name: 'format changed', older: field({ type: 'string', format: 'date' }), newer: field({ type: 'string', format: 'date-time' }), backward: 'format', forward: 'format' },
  // defaults and annotations
  { name: 'default changed', older: obj({ a: S, n: { type: 'number', default: 0 } }, ['a']), newer: obj({ a: S, n: { type: 'number', default: 1 } }, ['a']), backward: true, forward: true },
  { name: 'title and description changed', older: { ...obj({ a: S }, ['a']), title: 'Old' }, newer: { ...obj({ a: { type: 'string', description: 'the a' } }, ['a']), title: 'New' }, backward: true, forward: true },
  // references
  {
    name: '$ref to $defs, then inlined',
    older: { ...obj({ address: { $ref: '#/$defs/Address' } }, ['address']), $defs: { Address: obj({ city: S }, ['city']) } },
    newer: obj({ address: obj({ city: S }, ['city']) }, ['address']),
    backward: true, forward: true,
  },
  {
    name: 'a referenced definition gains a required field',
    older: { ...obj({ address: { $ref: '#/$defs/Address' } }, ['address']), $defs: { Address: obj({ city: S }, ['city']) } },
    newer: { ...obj({ address: { $ref: '#/$defs/Address' } }, ['address']), $defs: { Address: obj({ city: S, zip: S }, ['city', 'zip']) } },
    backward: 'required-added', forward: true,
  },
  {
    name: 'a recursive schema, unchanged',
    older: { $ref: '#/$defs/Node', $defs: { Node: obj({ value: S, children: arr({ $ref: '#/$defs/Node' }) }, ['value']) } },
    newer: { $ref: '#/$defs/Node', $defs: { Node: obj({ value: S, children: arr({ $ref: '#/$defs/Node' }) }, ['value']) } },
    backward: true, forward: true,
  },
  {
    name: 'a recursive schema whose nodes change type',
    older: { $ref: '#/$defs/Node', $defs: { Node: obj({ value: S, children: arr({ $ref: '#/$defs/Node' }) }, ['value']) } },
    newer: { $ref: '#/$defs/Node', $defs: { Node: obj({ value: N, children: arr({ $ref: '#/$defs/Node' }) }, ['value']) } },
    backward: 'type-narrowed', forward: 'type-narrowed',
  },
  { name: 'a reference that resolves nowhere', older: field(S), newer: field({ $ref: '#/$defs/Missing' }), backward: 'ref-unresolved', forward: 'any-value' },
  // allOf and unsupported keywords
  { name: 'allOf adds a required field', older: obj({ a: S }, ['a']), newer: { allOf: [obj({ a: S }, ['a']), obj({ b: N }, ['b'])] }, backward: 'required-added', forward: true },
  { name: 'a reader adds "not"', older: field(S), newer: field({ type: 'string', not: { const: '' } }), backward: 'unsupported-keyword', forward: true },
];
