import { describe } from 'vitest';
import { adminContract } from './contract-admin.js';
import { consumeContract } from './contract-consume.js';
import { failureContract } from './contract-failures.js';
import { effectContract } from './contract-effects.js';
import { handlerContract } from './contract-handlers.js';
import { hazardContract } from './contract-hazards.js';
import { leaseContract } from './contract-leases.js';
import { publishContract } from './contract-publish.js';
import { scheduleContract } from './contract-schedule.js';
import { commandContract } from './contract-commands.js';
import { workflowContract } from './contract-workflows.js';
import { schemaContract } from './contract-schemas.js';
import { traceContract } from './contract-trace.js';
import { rewindContract } from './contract-rewind.js';
import { checkContract } from './contract-check.js';
import { recordHandledContract } from './contract-record-handled.js';
import type { ContractSubject } from './subject.js';

/**
 * The engine contract suite. Every Factline log engine must pass it before it is considered
 * ready: call it from a vitest file with a subject that makes fresh stores of your engine.
 */
export function engineContract<Db>(subject: ContractSubject<Db>): void {
  describe(`${subject.name} engine contract`, () => {
    describe('publish', () => publishContract(subject));
    describe('consume', () => consumeContract(subject));
    describe('leases', () => leaseContract(subject));
    describe('failures', () => failureContract(subject));
    describe('hazards', () => hazardContract(subject));
    describe('effects', () => effectContract(subject));
    describe('scheduled delivery', () => scheduleContract(subject));
    describe('commands', () => commandContract(subject));
    describe('workflows', () => workflowContract(subject));
    describe('admin', () => adminContract(subject));
    describe('handler declarations', () => handlerContract(subject));
    describe('schemas', () => schemaContract(subject));
    describe('trace', () => traceContract(subject));
    describe('rewind', () => rewindContract(subject));
    describe('store check', () => checkContract(subject));
    describe('recording handled events', () => recordHandledContract(subject));
  });
}
