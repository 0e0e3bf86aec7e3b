import { expect, it } from 'vitest';
import { FactlineError } from '../core/errors.js';
import type { ContractSubject } from './subject.js';

/** `Engine.check()`, the store part of health checks. */
export function checkContract<Db>(subject: ContractSubject<Db>): void {
  it('checks that the store answers while the engine is open, and fails once it is closed', async () => {
    const open = await subject.freshStore();
    const engine = open();
    await engine.open({ partitions: 2 });
    await expect(engine.check()).resolves.toBeUndefined();
    await engine.close();
    await expect(engine.check()).rejects.toBeInstanceOf(FactlineError);
  });
}
