import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { FactlineError, StoreError } from '../../src/core/errors.js';
import { Lock } from '../../src/engines/sqlite/lock.js';
import { WriteGroups, type GroupWriter } from '../../src/engines/sqlite/write-group.js';
import { tempFile } from './engine-fixture.js';

/** Write groups on a real SQLite file, counting the COMMITs they run. */
function groupsOn(file: string, failCommit?: () => Error | undefined) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('temp_store = MEMORY');
  db.exec('create table t (n integer primary key)');
  const commits: number[] = [];
  const writer: GroupWriter = {
    db: () => db,
    begin: async (d) => void d.exec('BEGIN IMMEDIATE'),
    commit: (d) => {
      const err = failCommit?.();
      if (err) throw err;
      d.exec('COMMIT');
      commits.push(Date.now());
    },
    rollback: (d) => {
      if (d.inTransaction) d.exec('ROLLBACK');
    },
    own: (_what, fn) => fn(),
  };
  const other = new Database(file, { readonly: true });
  opened.push(db, other);
  const stored = () => (other.prepare('select n from t order by n').all() as { n: number }[]).map((r) => r.n);
  return { groups: new WriteGroups(new Lock(), writer), db, commits, stored };
}

const opened: Database.Database[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

const insert = (n: number) => async (db: Database.Database) => {
  db.prepare('insert into t (n) values (?)').run(n);
  return { result: n };
};

describe('SQLite write groups', () => {
  it('commits transactions asked for together with one COMMIT, and each resolves once it is stored', async () => {
    const { groups, commits, stored } = groupsOn(tempFile('g.db'));
    const seenAtResolve: number[][] = [];
    const all = Array.from({ length: 10 }, (_, n) => groups.run('w', insert(n)).then((v) => (seenAtResolve.push(stored()), v)));
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(commits).toHaveLength(1);
    // Read from another connection when each promise resolved: every row was already committed.
    for (const rows of seenAtResolve) expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rolls back only the member that throws; the others of its group commit', async () => {
    const { groups, commits, stored } = groupsOn(tempFile('g.db'));
    const boom = new Error('handler failed');
    const failing = async (db: Database.Database) => {
      db.prepare('insert into t (n) values (?)').run(100);
      throw boom;
    };
    const results = await Promise.allSettled([groups.run('w', insert(1)), groups.run('w', failing), groups.run('w', insert(2))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(boom);
    expect(stored()).toEqual([1, 2]);
    expect(commits).toHaveLength(1);
  });

  it('rolls back a first member that throws alone; the members behind it still commit', async () => {
    const { groups, stored } = groupsOn(tempFile('g.db'));
    const failing = async (db: Database.Database) => {
      db.prepare('insert into t (n) values (?)').run(100);
      throw new Error('first failed');
    };
    const results = await Promise.allSettled([groups.run('w', failing), groups.run('w', insert(1)), groups.run('w', insert(2))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(stored()).toEqual([1, 2]);
  });

  it('rejects every member of a group whose COMMIT fails, and stores none of them', async () => {
    let fail = true;
    const gone = new StoreError('STORE_GONE', 'the file is gone');
    const { groups, stored } = groupsOn(tempFile('g.db'), () => (fail ? gone : undefined));
    const results = await Promise.allSettled([groups.run('w', insert(1)), groups.run('w', insert(2)), groups.run('w', insert(3))]);
    expect(results.map((r) => (r.status === 'rejected' ? r.reason : undefined))).toEqual([gone, gone, gone]);
    expect(stored()).toEqual([]);
    fail = false;
    expect(await groups.run('w', insert(4))).toBe(4);
    expect(stored()).toEqual([4]);
  });

  it('fails the whole group, with typed errors, when user code ends the transaction under a member', async () => {
    const { groups, stored } = groupsOn(tempFile('g.db'));
    const rollsBack = async (db: Database.Database) => {
      db.exec('ROLLBACK');
      return { result: 0 };
    };
    const results = await Promise.allSettled([groups.run('w', insert(1)), groups.run('user', rollsBack), groups.run('w', insert(2))]);
    const [first, second, third] = results;
    expect(first?.status).toBe('rejected');
    expect((first as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect(((second as PromiseRejectedResult).reason as FactlineError).code).toBe('TRANSACTION_ENDED');
    // The member behind the broken group runs in a group of its own.
    expect(third?.status).toBe('fulfilled');
    expect(stored()).toEqual([2]);
  });

  it('runs urgent members before the waiting ones, and ends a group at its size limit', async () => {
    const { groups, commits } = groupsOn(tempFile('g.db'));
    const order: string[] = [];
    const tagged = (tag: string, n: number) => async (db: Database.Database) => {
      order.push(tag);
      return insert(n)(db);
    };
    const normal = Array.from({ length: 100 }, (_, n) => groups.run('w', tagged(`n${n}`, n)));
    const urgent = groups.run('beat', tagged('urgent', 1000), true);
    await Promise.all([...normal, urgent]);
    // n0 had started before the urgent one was asked for; the urgent one is next.
    expect(order.slice(0, 2)).toEqual(['n0', 'urgent']);
    expect(commits.length).toBeGreaterThanOrEqual(2);
  });
});
