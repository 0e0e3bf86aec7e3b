import type Database from 'better-sqlite3';

/** The part of a prepared statement the engine uses, typed by its parameters and row. */
export interface Stmt<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): { changes: number };
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

function st<P extends unknown[] = unknown[], R = unknown>(db: Database.Database, sql: string): Stmt<P, R> {
  return db.prepare(sql) as unknown as Stmt<P, R>;
}

function raw(db: Database.Database, sql: string): Stmt<[number, number, number], unknown[]> {
  return db.prepare(sql).raw(true) as unknown as Stmt<[number, number, number], unknown[]>;
}

/** Every statement the engine runs, prepared once per connection. */
export function prepareWrites(db: Database.Database) {
  return {
    head: st<[number], { head: number }>(db, 'select head from factline_partitions where partition = ?'),
    setHead: st(db, 'update factline_partitions set head = ? where partition = ?'),
    insertEvent: st(db, 
      'insert into factline_events (partition, sequence, id, source, type, key, time, body, correlation_id, subject) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertInbox: st(db, 'insert or ignore into factline_inbox (grp, id, source, handled_at) values (?, ?, ?, ?)'),
    deleteInbox: st(db, 'delete from factline_inbox where grp = ? and id = ? and source = ?'),
    leaseOwner: st<[string, number], { member: string }>(db, 'select member from factline_leases where grp = ? and partition = ?'),
    setPosition: st(db, 
      'insert into factline_positions (grp, partition, position) values (?, ?, ?) on conflict (grp, partition) do update set position = max(position, excluded.position)',
    ),
    getPosition: st<[string, number], { position: number }>(db, 'select position from factline_positions where grp = ? and partition = ?'),
    upsertParked: st(db, 
      `insert into factline_parked (grp, partition, sequence, key, state, attempts, next_attempt_at, errors, id, source, type, body)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (grp, partition, sequence) do update set state = excluded.state, attempts = excluded.attempts,
         next_attempt_at = excluded.next_attempt_at, errors = excluded.errors`,
    ),
    deleteParked: st(db, 'delete from factline_parked where grp = ? and partition = ? and sequence = ?'),
    insertDeadLetter: st(db, 
      `insert into factline_dead_letters (id, grp, partition, sequence, key, event_id, event_source, event_type, subject, body,
         reason, errors, strict, status, created_at, resolved_at, resolved_by, resolution, history)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    openDeadLetters: st<[string], { n: number }>(db, "select count(*) as n from factline_dead_letters where grp = ? and status = 'open'"),
    /** Counts starts in a row at one position: +1 at the stored position, else 1 at the new one. */
    markStart: st<[string, number, number], { starts: number }>(db,
      `insert into factline_starts (grp, partition, position, starts) values (?, ?, ?, 1)
       on conflict (grp, partition) do update set
         starts = case when position = excluded.position then starts + 1 else 1 end, position = excluded.position
       returning starts`,
    ),
    declareHandler: st(db,
      `insert into factline_handlers (grp, type, version, kind, member, declared_at, seen_at) values (?, ?, ?, ?, ?, ?, ?)
       on conflict (grp, type, version) do update set kind = excluded.kind, member = excluded.member, seen_at = excluded.seen_at`,
    ),
    pruneInbox: st(db, 
      'delete from factline_inbox where (grp, id, source) in (select grp, id, source from factline_inbox where handled_at < ? limit 5000)',
    ),
  };
}

export type WriteStatements = ReturnType<typeof prepareWrites>;

export function prepareReads(db: Database.Database) {
  return {
    read: raw(db, 'select partition, sequence, id, source, type, key, body from factline_events where partition = ? and sequence > ? order by sequence limit ?'),
    inbox: st<[string, string, string], { n: number }>(db, 'select 1 as n from factline_inbox where grp = ? and id = ? and source = ?'),
    position: st<[string, number], { position: number }>(db, 'select position from factline_positions where grp = ? and partition = ?'),
    parked: st<[string, number]>(db, 
      'select * from factline_parked where grp = ? and partition = ? order by key, sequence',
    ),
  };
}
