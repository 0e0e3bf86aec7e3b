export { postgresEngine } from './engine.js';
export { migrate, storedPartitions } from './migrate.js';
export { publishIn, appendInTransaction, fromPg, fromKysely, fromDrizzle } from './caller-transaction.js';
export { LATEST_MIGRATION } from './migrations.js';
export { ConnectionLostError } from './errors.js';

export type { PostgresEngine, PostgresEngineOptions } from './engine.js';
export type { MigrateOptions } from './migrate.js';
export type { MigrationResult } from './migrations.js';
export type { SqlExecutor, PgLikeClient, KyselyLike, RawCompiledQuery, DrizzleLike, LogLocation, PublishTarget } from './caller-transaction.js';
export type { PgTx, PgPool, PgPoolClient, PgResult, PgQueryConfig, PgQueryable } from './types.js';
