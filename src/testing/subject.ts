import type { Engine } from '../core/engine.js';

/** A row the contract suite writes in a handler's or a transaction's `db`. */
export interface EffectRow {
  readonly id: string;
  readonly key: string;
  readonly n: number;
}

/**
 * What an engine gives the contract suite: fresh stores, and how to run the suite's own SQL on
 * the engine's `db` handle (engines differ in driver and parameter syntax).
 */
export interface ContractSubject<Db> {
  readonly name: string;
  /**
   * Makes a new empty store and returns a function that opens engines on it: each call gives a
   * new engine instance (like another process) on the same store.
   */
  freshStore(): Promise<() => Engine<Db>>;
  /** Creates the effects table `table` (with an insertion-ordered id) if it is absent. */
  createTable(db: Db, table: string): Promise<void>;
  insert(db: Db, table: string, row: EffectRow): Promise<void>;
  /** All rows in insertion order. */
  list(db: Db, table: string): Promise<EffectRow[]>;
}
