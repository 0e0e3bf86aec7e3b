export { engineContract } from './contract.js';
export { eventually, memoryLogger } from './helpers.js';
export { testApp, TestPlaced, TestShipped, TestIgnored } from './fixtures.js';
export type { LogEntry } from './helpers.js';
export type { ContractSubject, EffectRow } from './subject.js';
