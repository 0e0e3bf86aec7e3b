import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { cli, cliProcess, freshFile, OrderPlaced, prepareLog } from './log-fixture.js';

interface LagJson {
  partitions: { group: string; partition: number; position: number; head: number; lag: number; parked: number }[];
  groups: { group: string; lag: number; openDeadLetters: number; oldestOpenDeadLetterAt?: number }[];
}

describe('factline lag, events show, tail', () => {
  let file: string;
  beforeAll(async () => {
    file = freshFile('inspect');
    await prepareLog(file, 6, [2]);
  });

  it('reports position, head and lag per group and partition, and open dead letters per group', () => {
    const r = cli(['lag', '--db', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lag = JSON.parse(r.stdout) as LagJson;
    expect(lag.partitions).toHaveLength(8);
    expect(lag.partitions.reduce((n, p) => n + p.head, 0)).toBe(12);
    expect(lag.partitions.every((p) => p.lag === 0 && p.position === p.head)).toBe(true);
    const byGroup = Object.fromEntries(lag.groups.map((g) => [g.group, g]));
    expect(byGroup.fraud).toMatchObject({ lag: 0, openDeadLetters: 1 });
    expect(typeof byGroup.fraud!.oldestOpenDeadLetterAt).toBe('number');
    expect(byGroup.billing).toMatchObject({ lag: 0, openDeadLetters: 0 });
    const text = cli(['lag', '--db', file, '--all']);
    expect(text.stdout).toMatch(/^GROUP\s+LAG\s+PARKED/);
    expect(text.stdout).toMatch(/fraud\s+0\s+0\s+-\s+1\s/);
    expect(text.stdout).toMatch(/billing\s+3\s+/);
  });

  it('shows lag of events published while no consumer runs', async () => {
    const app = createFactline({ engine: sqliteEngine({ file }), source: 'test/orders', partitions: 4 });
    await app.publish(OrderPlaced, { orderId: 'late-1', bad: false });
    await app.stop();
    const lag = JSON.parse(cli(['lag', '--db', file, '--json']).stdout) as LagJson;
    expect(lag.groups.map((g) => [g.group, g.lag])).toEqual([['billing', 1], ['fraud', 1]]);
  });

  it('shows a stored event by id', () => {
    const [dl] = JSON.parse(cli(['dlq', 'list', '--db', file, '--json']).stdout) as { event: { id: string } }[];
    const r = cli(['events', 'show', dl!.event.id, '--db', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as { partition: number; sequence: number; envelope: { id: string; type: string; data: unknown } };
    expect(e.envelope).toMatchObject({ id: dl!.event.id, type: 'test.order.placed', data: { orderId: 'ord-2', bad: true } });
    expect(cli(['events', 'show', dl!.event.id, '--db', file]).stdout).toContain(`event ${dl!.event.id} (partition ${e.partition}, sequence ${e.sequence})`);
    const missing = cli(['events', 'show', 'no-such-id', '--db', file]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('factline: no event with id no-such-id in this log\n');
  });

  it('tails new events until killed, filtered by type and subject', async () => {
    const child = cliProcess(['tail', '--db', file, '--subject', 'tail-2']);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await until(() => err.includes('following'), () => `tail did not start: ${err}`);
      const app = createFactline({ engine: sqliteEngine({ file }), source: 'test/orders', partitions: 4 });
      const e1 = await app.publish(OrderPlaced, { orderId: 'tail-1', bad: false });
      const e2 = await app.publish(OrderPlaced, { orderId: 'tail-2', bad: false });
      await app.stop();
      await until(() => out.includes(e2.id), () => `no line for ${e2.id}: ${out} ${err}`);
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/test\.order\.placed\s+tail-2\s+p\d#\d+/);
      expect(out).not.toContain(e1.id);
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });

  it('tails from the beginning as JSON lines', async () => {
    const child = cliProcess(['tail', '--db', file, '--from-beginning', '--json', '--type', 'test.order.placed']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => out.split('\n').length > 6, () => `too few lines: ${out}`);
      const first = JSON.parse(out.split('\n')[0]!) as { envelope: { type: string } };
      expect(first.envelope.type).toBe('test.order.placed');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('factline errors', () => {
  const oneLine = (r: { code: number | null; stderr: string; stdout: string }) => {
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^factline: /);
    return r.stderr;
  };

  it('refuses unknown commands, flags and missing arguments with one line and exit code 2', () => {
    const file = freshFile('errors');
    expect(oneLine(cli(['dlq', 'lst', '--db', file]))).toContain('unknown command "dlq lst"');
    expect(oneLine(cli(['frobnicate']))).toContain('unknown command "frobnicate"');
    expect(oneLine(cli(['dlq', 'list', '--bogus', '--db', file]))).toContain("unknown option '--bogus'");
    expect(oneLine(cli(['dlq', 'show', '--db', file]))).toContain('needs <id>');
    expect(oneLine(cli(['dlq', 'replay', '--db', file]))).toContain('needs a dead letter <id> or --group');
    expect(oneLine(cli(['dlq', 'list']))).toContain('no database given');
    expect(oneLine(cli(['dlq', 'list', '--status', 'closed', '--db', file]))).toContain('--status must be one of');
    expect(cli(['dlq', 'list', '--bogus']).code).toBe(2);
  });

  it('refuses a bad --schema value with exit code 2, before connecting anywhere', () => {
    const unreachable = 'postgres://nobody@127.0.0.1:1/nowhere';
    const bad = cli(['lag', '--url', unreachable, '--schema', 'Bad-Name']);
    expect(oneLine(bad)).toContain('bad value for --schema: "Bad-Name" is not a Factline schema name');
    expect(bad.code).toBe(2);
    const fromEnv = cli(['lag'], { FACTLINE_URL: unreachable, FACTLINE_SCHEMA: 'drop table x' });
    expect(oneLine(fromEnv)).toContain('bad value for FACTLINE_SCHEMA');
    expect(fromEnv.code).toBe(2);
    const withFile = cli(['lag', '--db', freshFile('schema-flag'), '--schema', 'shop']);
    expect(oneLine(withFile)).toContain('a SQLite log (--db) has none');
    expect(withFile.code).toBe(2);
  });

  it('refuses a file that is not a Factline log, and a missing file, without creating one', () => {
    const text = freshFile('not-a-db');
    writeFileSync(text, 'hello, not sqlite\n');
    expect(oneLine(cli(['lag', '--db', text]))).toContain('is not a Factline log');
    const other = freshFile('other-app');
    const db = new Database(other);
    db.exec('create table customers (id integer primary key)');
    db.close();
    expect(oneLine(cli(['dlq', 'list', '--db', other]))).toContain('is not a Factline log');
    const check = new Database(other, { readonly: true });
    expect(check.prepare("select count(*) as n from sqlite_master where name like 'factline%'").get()).toEqual({ n: 0 });
    check.close();
    const missing = freshFile('missing');
    expect(oneLine(cli(['lag', '--db', missing]))).toContain('does not exist');
    expect(oneLine(cli(['lag'], { FACTLINE_DB: missing }))).toContain('does not exist');
  });

  it('changes nothing when replaying or discarding an unknown id', async () => {
    const file = freshFile('unknown-id');
    await prepareLog(file, 2, [1]);
    const before = cli(['dlq', 'list', '--db', file, '--json']).stdout;
    expect(oneLine(cli(['dlq', 'replay', 'nope', '--db', file]))).toContain('no dead letter with id nope');
    expect(oneLine(cli(['dlq', 'discard', 'nope', '--db', file, '--reason', 'x']))).toContain('no dead letter with id nope');
    expect(oneLine(cli(['dlq', 'show', 'nope', '--db', file]))).toContain('no dead letter with id nope');
    expect(cli(['dlq', 'list', '--db', file, '--json']).stdout).toBe(before);
  });

  it('prints help for every command', () => {
    for (const args of [['--help'], ['dlq', '--help'], ['dlq', 'list', '--help'], ['dlq', 'replay', '--help'], ['lag', '--help'], ['tail', '--help'], ['events', 'show', '--help'], ['migrate', '--help'], ['help', 'dlq', 'discard']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^usage: factline /);
    }
    expect(cli(['dlq', 'discard', '--help']).stdout).toContain('--reason <why>');
  });

  it('says that SQLite logs migrate when opened', async () => {
    const file = freshFile('migrate');
    await prepareLog(file, 1, []);
    const r = cli(['migrate', '--db', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('migrated when an app opens them');
  });
});

async function until(check: () => boolean, message: () => string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(message());
    await new Promise((r) => setTimeout(r, 20));
  }
}
