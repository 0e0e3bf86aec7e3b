/** The systems `npm run bench` measures, in the order they run. */
import type { BenchConfig } from './config.js';
import { BullMqSystem } from './peers/bullmq.js';
import { NatsSystem } from './peers/nats.js';
import { PgLogSystem } from './peers/pg-log.js';
import { PgBossSystem } from './peers/pgboss.js';
import { RabbitMqSystem } from './peers/rabbitmq.js';
import { SqliteLogSystem } from './peers/sqlite-log.js';
import type { BenchSystem } from './system.js';
import { factlineSqliteSystem } from './factline/sqlite.js';
import { factlinePostgresSystem } from './factline/postgres.js';

// ---------------------------------------------------------------------------------------
// FACTLINE SYSTEMS: register the Factline engines here (kind: 'factline'), e.g.
//   new FactlineSqliteSystem(cfg), new FactlinePostgresSystem(cfg)
// Each gets a ratio column against every peer in the report. See bench/README.md.
// ---------------------------------------------------------------------------------------
export function factlineSystems(cfg: BenchConfig): BenchSystem[] {
  return [factlineSqliteSystem(), factlinePostgresSystem(cfg)];
}

export function peerSystems(cfg: BenchConfig): BenchSystem[] {
  return [
    new SqliteLogSystem(),
    new PgLogSystem(cfg),
    new PgBossSystem(cfg),
    new BullMqSystem(cfg),
    new NatsSystem(cfg, 'memory'),
    new NatsSystem(cfg, 'postgres'),
    new RabbitMqSystem(cfg),
  ];
}

export function allSystems(cfg: BenchConfig): BenchSystem[] {
  return [...factlineSystems(cfg), ...peerSystems(cfg)];
}
