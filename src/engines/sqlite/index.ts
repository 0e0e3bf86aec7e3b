export { sqliteEngine } from './engine.js';
export type { SqliteEngineOptions, SqliteDb } from './engine.js';
