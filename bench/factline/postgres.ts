/** Factline on its PostgreSQL engine: one schema per topic, on the bench's PostgreSQL server. */
import type { BenchConfig } from '../config.js';
import { pgAvailable } from '../peers/pg.js';
import { FactlineSystem } from './system.js';

export function factlinePostgresSystem(cfg: BenchConfig): FactlineSystem {
  const url = `postgres://${cfg.pg.user}@${cfg.host}:${cfg.pg.port}/${cfg.pg.database}`;
  return new FactlineSystem(
    'factline-postgres',
    'PostgreSQL commit (synchronous_commit as the server sets it, on by default: WAL flushed) before publish resolves',
    'Factline inbox rows (group, source, id) committed with the position, one transaction per batch',
    async () => ({
      spec: (topic: number) => ({ kind: 'postgres', url, schema: `bench_${cfg.runId}_factline_${topic}`, poolSize: 8 }),
    }),
    () => pgAvailable(cfg),
  );
}
