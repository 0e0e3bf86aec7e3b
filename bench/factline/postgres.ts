/** Factline on its PostgreSQL engine: one schema per topic, on the bench's PostgreSQL server. */
import { postgresEngine } from 'factline/postgres';
import type { Engine } from 'factline';
import type { BenchConfig } from '../config.js';
import { pgAvailable, pgPool } from '../peers/pg.js';
import { FactlineSystem } from './system.js';

export function factlinePostgresSystem(cfg: BenchConfig): FactlineSystem {
  const url = `postgres://${cfg.pg.user}@${cfg.host}:${cfg.pg.port}/${cfg.pg.database}`;
  const schema = (topic: number) => `bench_${cfg.runId}_factline_${topic}`;
  return new FactlineSystem(
    'factline-postgres',
    'PostgreSQL commit (synchronous_commit as the server sets it, on by default: WAL flushed) before publish resolves',
    'Factline inbox rows (group, source, id) committed with the position, one transaction per batch',
    async () => ({
      engine: (topic: number) => postgresEngine({ connectionString: url, schema: schema(topic), poolSize: 8 }) as Engine<unknown>,
      drop: async (topic: number) => {
        const pool = pgPool(cfg, 1);
        try {
          await pool.query(`drop schema if exists "${schema(topic)}" cascade`);
        } finally {
          await pool.end();
        }
      },
    }),
    () => pgAvailable(cfg),
  );
}
