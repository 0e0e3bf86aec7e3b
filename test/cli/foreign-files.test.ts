import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, freshFile, prepareLog } from './log-fixture.js';

/** Every command that reads the log, with arguments that would work on a Factline log. */
const READ_COMMANDS: readonly string[][] = [
  ['lag'],
  ['lag', '--all', '--json'],
  ['dlq', 'list'],
  ['dlq', 'show', 'some-id'],
  ['events', 'show', 'some-id'],
  ['tail'],
  ['tail', '--from-beginning'],
  ['migrate'],
  ['dlq', 'replay', 'some-id'],
  ['dlq', 'replay', '--group', 'billing'],
  ['dlq', 'discard', 'some-id', '--reason', 'test'],
];

/** What a command could change: the directory listing, and the file's bytes and times. */
function snapshot(file: string) {
  const st = statSync(file);
  return { entries: readdirSync(dirname(file)).sort(), bytes: readFileSync(file).toString('base64'), mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

function journalMode(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('journal_mode', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** Another application's database: closed cleanly, so no -wal or -shm is left. */
function foreignFile(name: string, mode: 'wal' | 'delete', setup: string): string {
  const file = freshFile(name);
  const db = new Database(file);
  db.pragma(`journal_mode = ${mode}`);
  db.exec(setup);
  db.close();
  expect(existsSync(`${file}-wal`) || existsSync(`${file}-shm`)).toBe(false);
  return file;
}

function expectRefusedUntouched(file: string, args: readonly string[]) {
  const before = snapshot(file);
  const r = cli([...args, '--db', file]);
  const what = `factline ${args.join(' ')}`;
  expect(r.code, what).toBe(1);
  expect(r.stderr, what).toMatch(/^factline: .*is not a Factline log/);
  expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
  expect(existsSync(`${file}-wal`), `${what} created -wal`).toBe(false);
  expect(existsSync(`${file}-shm`), `${what} created -shm`).toBe(false);
  expect(existsSync(`${file}-journal`), `${what} created -journal`).toBe(false);
  expect(snapshot(file), what).toEqual(before);
}

describe('factline on SQLite files that are not Factline logs', () => {
  it('writes nothing to another application WAL-mode SQLite file: the CLI writes to files that are not Factline logs no more', () => {
    const file = foreignFile('other-wal', 'wal', 'create table customers (id integer primary key, name text); insert into customers (name) values (\'ada\')');
    for (const args of READ_COMMANDS) expectRefusedUntouched(file, args);
    expect(journalMode(file)).toBe('wal');
  });

  it('leaves a rollback-journal file with a foreign factline_meta table in delete mode after lag', () => {
    const file = foreignFile('other-meta', 'delete', "create table factline_meta (key text primary key, value text); insert into factline_meta values ('format', 'someone-else'), ('partitions', '4')");
    for (const args of READ_COMMANDS) expectRefusedUntouched(file, args);
    expect(journalMode(file)).toBe('delete');
  });

  it('writes nothing to a WAL-mode file with a foreign factline_meta table', () => {
    const file = foreignFile('other-meta-wal', 'wal', "create table factline_meta (k text, v text); insert into factline_meta values ('partitions', '4')");
    for (const args of [['lag'], ['dlq', 'list'], ['tail']]) expectRefusedUntouched(file, args);
  });

  it('still reads a stopped Factline log in WAL mode without its -wal file', async () => {
    const file = freshFile('stopped');
    await prepareLog(file, 2, [1]);
    expect(existsSync(`${file}-wal`)).toBe(false);
    const r = cli(['dlq', 'list', '--db', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(1);
    expect(cli(['lag', '--db', file]).code).toBe(0);
  });
});
