export { engineContract } from './contract.js';
export { eventually, memoryLogger, testApp, TestPlaced, TestShipped, TestIgnored } from './helpers.js';
export type { ContractSubject, EffectRow } from './subject.js';
