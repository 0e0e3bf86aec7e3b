import type Database from 'better-sqlite3';
import { FactlineError, StoreError } from '../../core/errors.js';
import type { Lock } from './lock.js';

/** A group stops taking members after this many, or this long after its BEGIN. */
const MAX_MEMBERS = 64;
const MAX_GROUP_MS = 8;

/** What a member's body returns: its result, and what to do once it is durable. */
export interface MemberDone<T> {
  readonly result: T;
  readonly committed?: () => void;
}

/** How a group reaches the writer connection. */
export interface GroupWriter {
  /** The writer connection (throws when the engine is not running). */
  db(what: string): Database.Database;
  /** BEGIN IMMEDIATE, waiting for another process's write lock; throws a StoreError. */
  begin(db: Database.Database, what: string): Promise<void>;
  /** Last checks and COMMIT; throws a StoreError. */
  commit(db: Database.Database, what: string): void;
  /** Ends the transaction if one is open; never throws. */
  rollback(db: Database.Database): void;
  /** Runs a statement of the engine's own, its driver errors made StoreErrors. */
  own<T>(what: string, fn: () => T): T;
}

interface Member {
  readonly what: string;
  readonly urgent: boolean;
  readonly body: (db: Database.Database) => Promise<MemberDone<unknown>>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * The write transactions of one engine (one writer connection), committed in groups. A
 * transaction asked for while others of the engine wait runs in the same SQLite transaction as
 * they do, each in a savepoint of its own, and one COMMIT (one fsync) makes them all durable.
 * Guarantees:
 * - Transactions run one at a time, in the order they were asked for, urgent ones (lease
 *   heartbeats) before the others; every group holds the file's process lock (`Lock`) throughout.
 * - A member whose body throws is rolled back alone: only its own writes are undone, and its
 *   error is its caller's, as thrown. The others of its group still commit. (The first member
 *   runs in the transaction itself and ends its group when it throws; the later ones run in a
 *   savepoint each, whose undo pages the writer keeps in memory: temp_store = MEMORY.)
 * - A member's promise settles only after the COMMIT of its group: resolved when the group
 *   committed, rejected when it did not (BEGIN or COMMIT failed, the file is gone, or the whole
 *   transaction was ended under a member), in which case nothing of any member was stored, except
 *   when user code itself ran COMMIT on the connection: then the members before it may be stored
 *   although their callers are told otherwise (a consumer's retry finds its inbox rows).
 * - A group takes at most MAX_MEMBERS members and takes new ones for at most MAX_GROUP_MS after
 *   its BEGIN, so that other engines of the process and other processes get the file in turn.
 */
export class WriteGroups {
  private readonly urgentQueue: Member[] = [];
  private readonly queue: Member[] = [];
  /** Turns asked of the lock that have not started yet, and how many of them are urgent. */
  private asked = 0;
  private askedUrgent = 0;

  constructor(
    private readonly lock: Lock,
    private readonly writer: GroupWriter,
  ) {}

  run<T>(what: string, body: (db: Database.Database) => Promise<MemberDone<T>>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const member: Member = { what, urgent, body, resolve: resolve as (v: unknown) => void, reject };
      (urgent ? this.urgentQueue : this.queue).push(member);
      if (this.asked === 0 || (urgent && this.askedUrgent === 0)) this.ask(urgent);
    });
  }

  private ask(urgent: boolean): void {
    this.asked++;
    if (urgent) this.askedUrgent++;
    void this.lock.run(async () => {
      this.asked--;
      if (urgent) this.askedUrgent--;
      await this.runGroup();
    }, urgent);
  }

  private next(): Member | undefined {
    return this.urgentQueue.shift() ?? this.queue.shift();
  }

  private async runGroup(): Promise<void> {
    try {
      const first = this.next();
      if (!first) return;
      let db: Database.Database;
      try {
        db = this.writer.db(first.what);
        await this.writer.begin(db, first.what);
      } catch (err) {
        first.reject(err);
        return;
      }
      await this.members(db, first);
    } finally {
      // Members asked for while this group ran and not taken by it get a turn of their own.
      if (this.asked === 0 && (this.urgentQueue.length > 0 || this.queue.length > 0)) this.ask(this.urgentQueue.length > 0);
    }
  }

  /** Runs `first` and the members that join it, then commits them together. */
  private async members(db: Database.Database, first: Member): Promise<void> {
    const began = Date.now();
    const done: { member: Member; value: MemberDone<unknown> }[] = [];
    const failAll = (err: unknown) => {
      this.writer.rollback(db);
      for (const d of done) d.member.reject(err);
    };
    /** `member` fails with its own error; the group's transaction is lost to the others. */
    const abandon = (member: Member, memberErr: unknown, groupErr: unknown) => {
      member.reject(memberErr);
      failAll(groupErr);
    };
    for (let member: Member | undefined = first; member; ) {
      const { own } = this.writer;
      // The first member runs in the transaction itself: a group of one costs no savepoint.
      const alone = member === first;
      try {
        if (!alone) own(member.what, () => db.exec('SAVEPOINT factline_member'));
      } catch (err) {
        abandon(member, err, err);
        return;
      }
      let value: MemberDone<unknown>;
      try {
        value = await member.body(db);
      } catch (err) {
        if (alone) {
          member.reject(err);
          this.writer.rollback(db);
          return;
        }
        if (!db.inTransaction) {
          abandon(member, err, groupLost(member.what, err));
          return;
        }
        try {
          own(member.what, () => db.exec('ROLLBACK TO factline_member; RELEASE factline_member'));
        } catch (rollbackErr) {
          abandon(member, err, groupLost(member.what, rollbackErr));
          return;
        }
        member.reject(err);
        member = this.joiner(began, done.length);
        continue;
      }
      if (!db.inTransaction) {
        const ended = new FactlineError('TRANSACTION_ENDED', `${member.what}: the transaction was ended by user code (COMMIT or ROLLBACK on tx.db); let Factline end it`);
        abandon(member, ended, groupLost(member.what, undefined));
        return;
      }
      try {
        if (!alone) own(member.what, () => db.exec('RELEASE factline_member'));
      } catch (err) {
        abandon(member, err, groupLost(member.what, err));
        return;
      }
      done.push({ member, value });
      member = this.joiner(began, done.length);
    }
    if (done.length === 0) {
      this.writer.rollback(db);
      return;
    }
    try {
      this.writer.commit(db, done[0]!.member.what);
    } catch (err) {
      failAll(err);
      return;
    }
    for (const d of done) {
      d.value.committed?.();
      d.member.resolve(d.value.result);
    }
  }

  /** The next waiting member when the group can still take one. */
  private joiner(began: number, members: number): Member | undefined {
    if (members >= MAX_MEMBERS || Date.now() - began >= MAX_GROUP_MS) return undefined;
    return this.next();
  }
}

/** The error of the members of a group whose transaction was lost under another member. */
function groupLost(what: string, cause: unknown): StoreError {
  const how = cause === undefined ? 'user code ran COMMIT or ROLLBACK on tx.db in' : 'a failure ended the transaction under';
  return new StoreError('STORE_ERROR', `this write was committed together with "${what}", and ${how} it before Factline committed: retry it`, { cause });
}
