import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Engine } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import type { EffectRow } from './crash-event.js';

/** One fresh store for one crash test: what its children need and how the test reads the outcome. */
export interface CrashStore {
  /** Environment for the child processes (see child-store.ts). */
  readonly env: Record<string, string>;
  /** A directory of the test's own files (the producer's progress). */
  readonly dir: string;
  /** An engine on the same store for the test process itself (status, publishing); not opened yet. */
  readonly engine: Engine<unknown>;
  /** Every effect row, in the order the rows were inserted. */
  effects(): Promise<EffectRow[]>;
  close(): Promise<void>;
}

/** An engine the crash suite runs on. */
export interface CrashTarget {
  readonly name: string;
  fresh(label: string): Promise<CrashStore>;
}

export const sqliteTarget: CrashTarget = {
  name: 'sqlite',
  async fresh(label) {
    const dir = mkdtempSync(join(tmpdir(), `factline-crash-${label}-`));
    const file = join(dir, 'log.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // No unique constraint on event_id: an event applied twice shows as two rows.
    db.exec('create table effects (id integer primary key autoincrement, event_id text not null, key text not null, n integer not null, member text not null)');
    const select = db.prepare('select event_id as eventId, key, n, member from effects order by id');
    return {
      env: { FACTLINE_CRASH_ENGINE: 'sqlite', FACTLINE_CRASH_FILE: file },
      dir,
      engine: sqliteEngine({ file }) as Engine<unknown>,
      async effects() {
        return select.all() as EffectRow[];
      },
      async close() {
        db.close();
      },
    };
  },
};
