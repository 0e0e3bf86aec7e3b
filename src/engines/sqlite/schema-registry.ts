import type Database from 'better-sqlite3';
import type { SchemaProducer, SchemaRecord } from '../../core/engine.js';
import { toSchemaProducer, toSchemaRecord, type SchemaProducerRow, type SchemaRow } from '../schema-rows.js';

/** Inserts the version unless one is stored, records the producer; returns the stored fingerprint. */
export function registerSchemaIn(db: Database.Database, r: SchemaRecord, producer: string | undefined, now: number): string {
  db.prepare(`insert into factline_schemas (type, version, fingerprint, schema, compatibility, registered_by, registered_at)
    values (?, ?, ?, ?, ?, ?, ?) on conflict (type, version) do nothing`)
    .run(r.type, r.version, r.fingerprint, r.schema, r.compatibility, r.registeredBy, r.registeredAt);
  if (producer !== undefined) {
    db.prepare(`insert into factline_schema_producers (type, version, source, first_at, last_at) values (?, ?, ?, ?, ?)
      on conflict (type, version, source) do update set last_at = excluded.last_at`).run(r.type, r.version, producer, now, now);
  }
  return (db.prepare('select fingerprint from factline_schemas where type = ? and version = ?').get(r.type, r.version) as { fingerprint: string }).fingerprint;
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
}

export function schemasOf(db: Database.Database): SchemaRecord[] {
  if (!hasTable(db, 'factline_schemas')) return [];
  return (db.prepare('select * from factline_schemas order by type, version').all() as SchemaRow[]).map(toSchemaRecord);
}

export function schemaProducersOf(db: Database.Database): SchemaProducer[] {
  if (!hasTable(db, 'factline_schema_producers')) return [];
  return (db.prepare('select * from factline_schema_producers order by type, version, source').all() as SchemaProducerRow[]).map(toSchemaProducer);
}
