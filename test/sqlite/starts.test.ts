import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { SCHEMA_VERSION } from '../../src/engines/sqlite/schema.js';
import { leasedEngine, tempFile } from './engine-fixture.js';

const tables = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
};

describe('markStart', () => {
  it('counts the starts in a row at one position, per group and partition, and restarts at 1 when the position moved', async () => {
    const { engine, lease } = await leasedEngine();
    try {
      expect(await engine.markStart(lease, 0)).toBe(1);
      expect(await engine.markStart(lease, 0)).toBe(2);
      expect(await engine.markStart(lease, 0)).toBe(3);
      expect(await engine.markStart({ ...lease, group: 'other' }, 0)).toBe(1);
      expect(await engine.markStart(lease, 7)).toBe(1);
      expect(await engine.markStart(lease, 7)).toBe(2);
      expect(await engine.markStart(lease, 0)).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('keeps its count across a restart of the engine (durable once it resolves)', async () => {
    const { engine, lease, file } = await leasedEngine();
    expect(await engine.markStart(lease, 3)).toBe(1);
    await engine.close();
    const again = sqliteEngine({ file });
    await again.open({ partitions: 1 });
    try {
      expect(await again.markStart(lease, 3)).toBe(2);
    } finally {
      await again.close();
    }
  });

  it('adds factline_starts to a log of layout version 1 made before the table existed, and keeps the layout version', async () => {
    const file = tempFile('older.db');
    const first = sqliteEngine({ file });
    await first.open({ partitions: 1 });
    await first.close();
    // What an older Factline left: the same layout version, without factline_starts.
    const raw = new Database(file);
    raw.exec('drop table factline_starts');
    raw.close();
    expect(tables(file)).not.toContain('factline_starts');

    const { engine, lease } = await leasedEngine(file);
    try {
      expect(tables(file)).toContain('factline_starts');
      expect(await engine.markStart(lease, 0)).toBe(1);
    } finally {
      await engine.close();
    }
    const check = new Database(file, { readonly: true });
    expect(check.prepare("select value from factline_meta where key = 'schema_version'").get()).toEqual({ value: String(SCHEMA_VERSION) });
    check.close();
    expect(SCHEMA_VERSION).toBe(1); // a file this version writes still opens in Factline versions that know layout 1
  });
});
