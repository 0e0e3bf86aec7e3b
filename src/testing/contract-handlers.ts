import { expect, it } from 'vitest';
import { TestPlaced, TestShipped, testApp } from './fixtures.js';
import type { ContractSubject } from './subject.js';

/** Handler declarations: which group handles which type and version, across processes and restarts. */
export function handlerContract<Db>(subject: ContractSubject<Db>): void {
  it('records the types and versions a group handles when a member starts, and keeps them after it stops', async () => {
    const open = await subject.freshStore();
    const app = testApp(open());
    app.consumer('billing').on(TestPlaced, () => undefined);
    app.consumer('shipping').on(TestPlaced, () => undefined).on(TestShipped, () => undefined);
    await app.start();
    await app.stop();

    const admin = open();
    await admin.open({ partitions: 4 });
    try {
      const declared = await admin.admin.handlers();
      expect(declared.map((d) => [d.group, d.type, d.version, d.kind])).toEqual([
        ['billing', TestPlaced.type, TestPlaced.version, 'event'],
        ['shipping', TestPlaced.type, TestPlaced.version, 'event'],
        ['shipping', TestShipped.type, TestShipped.version, 'event'],
      ]);
      for (const d of declared) {
        expect(d.member).toMatch(/:/);
        expect(d.seenAt).toBeGreaterThanOrEqual(d.declaredAt);
      }
    } finally {
      await admin.close();
    }
  });

  it('keeps the first declaration time and moves the member and the last time on a later declaration', async () => {
    const open = await subject.freshStore();
    const engine = open();
    await engine.open({ partitions: 4 });
    try {
      await engine.declareHandlers('g', 'm1', [{ type: 't.a', version: 1, kind: 'command' }]);
      const [first] = await engine.admin.handlers();
      await new Promise((r) => setTimeout(r, 5));
      await engine.declareHandlers('g', 'm2', [{ type: 't.a', version: 1, kind: 'command' }, { type: 't.a', version: 2, kind: 'command' }]);
      const after = await engine.admin.handlers();
      expect(after).toHaveLength(2);
      expect(after[0]).toMatchObject({ group: 'g', type: 't.a', version: 1, kind: 'command', member: 'm2', declaredAt: first!.declaredAt });
      expect(after[0]!.seenAt).toBeGreaterThanOrEqual(first!.seenAt);
      expect(after[1]).toMatchObject({ group: 'g', type: 't.a', version: 2, member: 'm2' });
    } finally {
      await engine.close();
    }
  });
}
