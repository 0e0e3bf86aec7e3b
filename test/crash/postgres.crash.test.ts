import { PG_URL, freshSchema, pgAvailable } from '../postgres/pg-test.js';
import { describeCrashSuite } from './crash-suite.js';
import { postgresTarget } from './postgres-target.js';

// Unreachable server: skipped with a loud message, or failing when CI=true (see pg-test.ts).
describeCrashSuite(postgresTarget(PG_URL, freshSchema), {
  skip: !pgAvailable,
  producer: { producerConcurrency: 48, producerPauseMs: 0, producerTwoKeyShare: 0.15 },
});
