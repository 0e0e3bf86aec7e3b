import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import { defineEvent } from '../../src/index.js';
import { jsonSchemaOf } from '../../src/schema/json-schema-of.js';
import { compareSchemas } from '../../src/schema/compatibility.js';
import { fingerprint } from '../../src/schema/fingerprint.js';

const define = (schema: Parameters<typeof defineEvent>[0]['schema'], extra: object = {}) =>
  defineEvent({ type: 'test.order.placed', version: 1, schema, subject: () => 's', ...extra });

describe('JSON Schema from the schema library (Standard JSON Schema)', () => {
  it('takes it from zod 4, arktype and valibot wrapped with toStandardJsonSchema', () => {
    const fromZod = jsonSchemaOf(define(z.object({ id: z.string(), n: z.number().optional() })));
    const fromArk = jsonSchemaOf(define(type({ id: 'string', 'n?': 'number' })));
    const fromValibot = jsonSchemaOf(define(toStandardJsonSchema(v.object({ id: v.string(), n: v.optional(v.number()) }))));
    for (const s of [fromZod, fromArk, fromValibot]) {
      expect(s).toMatchObject({ type: 'object', properties: { id: { type: 'string' }, n: { type: 'number' } }, required: ['id'] });
    }
    // The same data model from three libraries: one fingerprint, FULL compatible with each other.
    expect(new Set([fromZod, fromArk, fromValibot].map(fingerprint)).size).toBe(1);
    expect(compareSchemas(fromZod, fromArk, 'FULL_TRANSITIVE')).toEqual([]);
  });

  it('says what to do for a library without it, and takes the JSON Schema given instead', () => {
    const plain = define(v.object({ id: v.string() }));
    expect(() => jsonSchemaOf(plain)).toThrow(/does not implement Standard JSON Schema .*toStandardJsonSchema\(\) from @valibot\/to-json-schema, or pass the JSON Schema yourself as jsonSchema/);
    const given = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    expect(jsonSchemaOf(define(v.object({ id: v.string() }), { jsonSchema: given }))).toBe(given);
  });

  it('fingerprints the canonical form: annotations and key order do not count, defaults do', () => {
    const a = { type: 'object', properties: { id: { type: 'string', description: 'x' } }, required: ['id', 'b'], title: 'A' };
    const b = { required: ['b', 'id'], properties: { id: { type: 'string' } }, type: 'object', $schema: 'https://json-schema.org/draft/2020-12/schema' };
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint({ type: 'number', default: 1 })).not.toBe(fingerprint({ type: 'number', default: 2 }));
  });

  it('refuses a from of another type, an upcast without from, and an unknown mode', () => {
    const V1 = defineEvent({ type: 'test.a', version: 1, schema: z.object({}), subject: () => 's' });
    expect(() => defineEvent({ type: 'test.a', version: 1, schema: z.object({}), subject: () => 's', from: V1, upcast: (d) => d })).toThrow(/must be an earlier version/);
    expect(() => defineEvent({ type: 'test.a', version: 2, schema: z.object({}), subject: () => 's', upcast: () => ({}) })).toThrow(/upcast needs from/);
    expect(() => defineEvent({ type: 'test.a', version: 2, schema: z.object({}), subject: () => 's', from: V1 })).toThrow(/from needs upcast/);
    expect(() => defineEvent({ type: 'test.a', version: 2, schema: z.object({}), subject: () => 's', compatibility: 'SIDEWAYS' as never })).toThrow(/compatibility must be one of BACKWARD/);
  });
});
