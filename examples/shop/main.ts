/**
 * The shop demo: an order flow on Factline, in one process.
 *
 *   npm run demo                          a fresh SQLite log under examples/shop/.data/
 *   npm run demo -- --db <file>           run again on an existing log (drains it; --orders N adds orders)
 *   npm run demo -- --fix --db <file>     the same with the fraud check fixed
 *   npm run demo -- --fix --replay ...    ...and replay fraud's open dead letters first
 *   npm run demo -- --postgres            on PostgreSQL (FACTLINE_URL or --url, a fresh schema or --schema)
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createFactline, type ConsumerOptions, type Engine, type Logger } from 'factline';
import { sqliteEngine } from 'factline/sqlite';
import { GROUPS, handledCounts, registerConsumers, type GroupName } from './consumers.js';
import { EmailProvider } from './email-provider.js';
import { CATALOG, NEW_MARKET, orderNumber, placeOrder } from './orders.js';
import { groupStates, progressLine, settled, summaryTable } from './report.js';
import { createShopTables, shopSql } from './sql.js';

const PARTITIONS = 8;
const ROOT = join(import.meta.dirname, '..', '..');

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' }, postgres: { type: 'boolean' }, url: { type: 'string' }, schema: { type: 'string' },
    fix: { type: 'boolean' }, replay: { type: 'boolean' }, orders: { type: 'string' }, help: { type: 'boolean' },
  },
  strict: true,
});

if (flags.help) {
  console.log('usage: npm run demo -- [--db <file> | --postgres [--url <url>] [--schema <name>]] [--orders N] [--fix] [--replay]');
  process.exit(0);
}

/** Quiet logs: the demo prints its own lines; unexpected errors still show. */
const logger: Logger = {
  debug() {}, info() {}, warn() {},
  error(fields, message) {
    if (fields.deadLetterId === undefined) process.stderr.write(`  error: ${message} ${JSON.stringify(fields)}\n`);
  },
};

interface Setup {
  readonly engine: Engine<unknown>;
  readonly where: string;
  readonly fresh: boolean;
  /** How the CLI reaches this log. */
  readonly cliTarget: string;
  readonly demoTarget: string;
  readonly emailFile: string;
  /** On PostgreSQL: the schema, and what the demo keeps in the database and how to drop it. */
  readonly schema?: string;
  readonly cleanup?: string;
  readonly dropCommand?: string;
}

async function setup(): Promise<Setup> {
  const pgUrl = flags.url ?? (flags.postgres ? process.env.FACTLINE_URL ?? 'postgres://root@127.0.0.1:5432/test' : flags.db ? undefined : process.env.FACTLINE_URL);
  if (pgUrl !== undefined) {
    const { postgresEngine, storedPartitions } = await import('factline/postgres');
    const schema = flags.schema ?? `shop_${Date.now().toString(36)}`;
    const fresh = (await storedPartitions({ connectionString: pgUrl, schema })) === undefined;
    // The shop's own tables live in the log's schema: connections use it as their search path.
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const emailFile = join(tmpdir(), `factline-shop-${schema}-email-provider.db`);
    return {
      engine: postgresEngine({ connectionString: url.toString(), schema }) as Engine<unknown>,
      where: `PostgreSQL ${url.host}${url.pathname}, schema ${schema}`,
      fresh,
      cliTarget: `--url ${pgUrl} --schema ${schema}`,
      demoTarget: `--url ${pgUrl} --schema ${schema}`,
      emailFile,
      schema,
      dropCommand: `psql "${pgUrl}" -c 'drop schema ${schema} cascade' && rm -f ${emailFile}`,
      cleanup: `${fresh ? 'This run created' : 'This run used'} the schema ${schema} in ${url.host}${url.pathname} (the log and the shop's tables) and ${emailFile} (the fake e-mail provider's file).`,
    };
  }
  const dataDir = join(ROOT, 'examples', 'shop', '.data');
  mkdirSync(dataDir, { recursive: true });
  const file = flags.db ?? join(dataDir, `shop-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
  const shown = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);
  return {
    engine: sqliteEngine({ file, synchronous: 'normal' }) as Engine<unknown>,
    where: `SQLite ${shown}`,
    fresh: !existsSync(file),
    cliTarget: `--db ${shown}`,
    demoTarget: `--db ${shown}`,
    emailFile: `${file}.email-provider.db`,
  };
}

function groupOptions(group: GroupName, onDeadLetter: ConsumerOptions['onDeadLetter']): ConsumerOptions {
  // Short delays so the demo finishes in seconds; a real service keeps the defaults (200 ms, doubling).
  return { retry: { attempts: 5, initialDelayMs: 20, factor: 2, maxDelayMs: 500 }, pollMs: 25, timeoutMs: 5000, onDeadLetter, ...(group === 'email' ? { concurrency: 32 } : {}) };
}

async function main(): Promise<number> {
  const s = await setup();
  const email = new EmailProvider(s.emailFile, 0.04);
  const retries = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<GroupName, number>;
  const deadLines: string[] = [];
  const onDeadLetter: ConsumerOptions['onDeadLetter'] = (dl) => {
    deadLines.push(`  dead letter in ${dl.group}: ${dl.eventType} ${dl.subject}: ${dl.reason}`);
  };
  const app = createFactline<unknown>({ engine: s.engine, source: 'shop/orders', partitions: PARTITIONS, logger });
  registerConsumers(app, {
    email, fixed: flags.fix === true,
    onRetry: (g) => retries[g]++,
    options: (g) => groupOptions(g, onDeadLetter),
  });

  const total = flags.orders !== undefined ? Number(flags.orders) : s.fresh ? 200 : 0;
  if (!Number.isInteger(total) || total < 0) throw new Error(`--orders must be a whole number, got ${flags.orders}`);
  console.log(`Factline shop demo on ${s.where} (${s.fresh ? 'new log' : 'existing log'})`);
  console.log(`  ${total} orders; consumer groups: ${GROUPS.join(', ')}; fraud check ${flags.fix ? 'FIXED' : `without a risk profile for ${NEW_MARKET} (orders shipping there become dead letters)`}`);
  console.log(`  the email provider is a fake that fails 4% of calls with a 503 (the retries), deduplicating by event id`);

  await app.transaction(async (tx) => createShopTables(shopSql(tx.db), Object.fromEntries(Object.entries(CATALOG).map(([k, v]) => [k, v.stock]))));
  if (s.schema !== undefined && s.fresh) console.log(`  created the schema ${s.schema} for the log and the shop's tables; to drop it when done: ${s.dropCommand}`);

  if (flags.replay) {
    const open = await app.engine.admin.listDeadLetters({ group: 'fraud', status: 'open' });
    for (const dl of open) await app.engine.admin.replayDeadLetter(dl.id, { by: 'shop demo', why: 'fraud check fixed: new markets get a default risk profile' });
    console.log(`  replayed ${open.length} open dead letter${open.length === 1 ? '' : 's'} of group fraud (to fraud only)`);
  }

  const started = Date.now();
  await app.start();
  const snapshot = async () => groupStates(app.engine, PARTITIONS, await app.transaction(async (tx) => handledCounts(shopSql(tx.db))), retries);
  let placed = 0;
  const run = Date.now().toString(36);
  const producing = (async () => {
    for (let i = 1; i <= total; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, total - i + 1) }, (_, k) => placeOrder(app, orderNumber(run, i + k))));
      placed = Math.min(total, i + 9);
      await new Promise((r) => setTimeout(r, 60));
    }
  })();

  let printed = 0;
  let done = false;
  let last = await snapshot();
  while (!done) {
    await new Promise((r) => setTimeout(r, 100));
    last = await snapshot();
    done = placed === total && settled(last);
    for (const line of deadLines.splice(0)) console.log(line);
    const elapsed = (Date.now() - started) / 1000;
    if (done || elapsed - printed >= 1) {
      printed = Math.floor(elapsed);
      console.log(progressLine(elapsed, placed, total, last.states));
    }
    if (elapsed > 120) throw new Error('the demo did not settle in 120 s; inspect with: npx factline lag ' + s.cliTarget);
  }
  await producing;
  const outcome = await app.transaction(async (tx) => {
    const sql = shopSql(tx.db);
    const res = await sql.all<{ status: string; n: number | string }>('select status, count(*) as n from reservations group by status');
    const fraud = await sql.all<{ verdict: string; n: number | string }>('select verdict, count(*) as n from fraud_checks group by verdict');
    return { stock: Object.fromEntries(res.map((r) => [r.status, Number(r.n)])), fraud: Object.fromEntries(fraud.map((r) => [r.verdict, Number(r.n)])) };
  });
  await app.stop();
  email.close();

  const openFraud = last.states.find((g) => g.group === 'fraud')!.openDeadLetters;
  console.log(`\nSummary (${s.where}):`);
  console.log(summaryTable(last.states));
  console.log(`  email provider: ${email.calls} calls this run, ${email.failures} failed with 503 and were retried, ${email.duplicates} duplicate calls answered from its idempotency keys`);
  console.log(`  inventory: ${outcome.stock.reserved ?? 0} orders reserved, ${outcome.stock.unavailable ?? 0} out of stock; fraud: ${outcome.fraud.clear ?? 0} clear, ${outcome.fraud.review ?? 0} for review`);
  const openAll = last.states.reduce((n, g) => n + g.openDeadLetters, 0);
  const finish = () => {
    if (s.cleanup) console.log(`\n${s.cleanup} Drop them when you are done:\n  ${s.dropCommand}`);
    console.log(`\nSee this log in the browser (overview, dead letters, flows, the log):\n  npx factline dashboard ${s.cliTarget}`);
  };
  if (openAll === 0) {
    console.log('\nEvery group is at the head of the log with zero open dead letters.');
    finish();
    return 0;
  }
  console.log(`\n${openAll} open dead letter${openAll === 1 ? '' : 's'}${openFraud === openAll ? ' in group fraud' : ''}. Inspect them:`);
  console.log(`  npx factline dlq list ${s.cliTarget}`);
  console.log(`  npx factline dlq show <id> ${s.cliTarget}`);
  console.log(`  npx factline lag ${s.cliTarget}`);
  if (flags.fix) {
    console.log('The fraud check is fixed in this run, but dead letters only run again once replayed:');
  } else {
    console.log(`Once the cause is fixed (here: --fix gives ${NEW_MARKET} a default risk profile), replay them to fraud only and drain:`);
  }
  console.log(`  npx factline dlq replay --group fraud --reason "risk profile for ${NEW_MARKET}" ${s.cliTarget}`);
  console.log(`  npm run demo -- --fix ${s.demoTarget}`);
  console.log(`(or in one step: npm run demo -- --fix --replay ${s.demoTarget})`);
  finish();
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`shop demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
