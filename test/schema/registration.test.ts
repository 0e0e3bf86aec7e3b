import { describe, expect, it } from 'vitest';
import type { SchemaRecord } from '../../src/core/engine.js';
import { SchemaConflictError } from '../../src/core/errors.js';
import { fingerprint } from '../../src/schema/fingerprint.js';
import { checkRegistration, liveHandlers } from '../../src/schema/registration.js';

const record = (version: number, schema: Record<string, unknown>): SchemaRecord => ({
  type: 't.a', version, fingerprint: fingerprint(schema), schema: JSON.stringify(schema), compatibility: 'BACKWARD', registeredBy: 'producer p', registeredAt: 0,
});
const obj = (props: Record<string, object>, required: string[]) => ({ type: 'object', properties: props, required });
const v1 = record(1, obj({ a: { type: 'string' }, b: { type: 'number' } }, ['a']));
const v2 = record(2, obj({ a: { type: 'string' } }, ['a']));
const v3 = record(3, obj({ a: { type: 'string' }, b: { type: 'string' } }, ['a']));

describe('which registrations are refused', () => {
  it('accepts the same schema again and refuses another one for a registered version', () => {
    expect(checkRegistration([v1], v1, 'BACKWARD', new Map())).toEqual([]);
    const changed = record(1, obj({ a: { type: 'number' } }, ['a']));
    expect(() => checkRegistration([v1], changed, 'BACKWARD', new Map())).toThrow(SchemaConflictError);
    expect(() => checkRegistration([v1], changed, 'BACKWARD', new Map())).toThrow(/t\.a version 1 is registered with another schema .*field a.*define the change as version 2/);
  });

  it('checks the latest older version, or all of them when transitive, against live groups only', () => {
    const live = new Map([[1, ['billing']]]);
    expect(checkRegistration([v1, v2], v3, 'BACKWARD', live)).toEqual([]);
    const err = (() => {
      try {
        checkRegistration([v1, v2], v3, 'BACKWARD_TRANSITIVE', live);
      } catch (e) {
        return e as SchemaConflictError;
      }
      return undefined;
    })();
    expect(err).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', version: 3, breaks: [{ path: 'b', rule: 'type-narrowed' }] });
    expect(err!.message).toMatch(/live group billing handles v1; mode BACKWARD_TRANSITIVE/);
    // Nobody live handles v1: registered, and the breaks come back for the warning.
    expect(checkRegistration([v1, v2], v3, 'BACKWARD_TRANSITIVE', new Map([[2, ['billing']]]))[0]).toMatch(/field b .* breaks BACKWARD_TRANSITIVE/);
  });

  it('counts a group as live while a partition of it has a lease holder', () => {
    const status = [
      { group: 'billing', partition: 0, position: 0, head: 0, parked: 0, owner: 'm1' },
      { group: 'stale', partition: 0, position: 0, head: 0, parked: 0 },
    ];
    const declared = [
      { group: 'billing', type: 't.a', version: 2, kind: 'event' as const, member: 'm1', declaredAt: 0, seenAt: 0 },
      { group: 'stale', type: 't.a', version: 1, kind: 'event' as const, member: 'm0', declaredAt: 0, seenAt: 0 },
      { group: 'billing', type: 't.other', version: 1, kind: 'event' as const, member: 'm1', declaredAt: 0, seenAt: 0 },
    ];
    expect([...liveHandlers('t.a', status, declared)]).toEqual([[2, ['billing']]]);
  });
});
