/**
 * Where the peers' servers are, and the run id that makes every name this run creates
 * unique (PostgreSQL schemas, streams, queues, Redis key prefixes, temp files).
 * Traffic only ever goes to 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';

export interface BenchConfig {
  /** Lowercase letters, digits and underscores: safe in every system's names. */
  readonly runId: string;
  readonly host: '127.0.0.1';
  readonly pg: { port: number; user: string; database: string };
  readonly redisPort: number;
  readonly natsPort: number;
  readonly amqp: { port: number; user: string; password: string };
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function benchConfig(startedAt: Date): BenchConfig {
  return {
    runId: `${stamp(startedAt)}_${randomBytes(3).toString('hex')}`,
    host: '127.0.0.1',
    pg: { port: 5432, user: process.env.BENCH_PG_USER ?? 'postgres', database: 'test' },
    redisPort: 6379,
    natsPort: 4222,
    amqp: { port: 5672, user: 'guest', password: 'guest' },
  };
}

/** Milliseconds to wait when probing whether a server is reachable. */
export const PROBE_TIMEOUT_MS = 3_000;
