/**
 * Migration 5: the schema registry, one row per event type and version (its JSON Schema,
 * fingerprint, compatibility mode, who registered it and when), and the sources that publish
 * each version; times in ms since epoch like the other tables.
 */
export function migrationSchemaRegistry(s: string): string {
  const q = `"${s}"`;
  return `
create table ${q}.schemas (
  type text not null, version int not null, fingerprint text not null, schema text not null,
  compatibility text not null, registered_by text not null, registered_at bigint not null,
  primary key (type, version));
create table ${q}.schema_producers (
  type text not null, version int not null, source text not null, first_at bigint not null, last_at bigint not null,
  primary key (type, version, source));
`;
}

/** Inserts a version unless one is stored and records its producer; the last statement returns the stored fingerprint. */
export function registerSchemaSql(s: string): { insert: string; producer: string; stored: string } {
  const q = `"${s}"`;
  return {
    insert: `insert into ${q}.schemas (type, version, fingerprint, schema, compatibility, registered_by, registered_at)
      values ($1, $2, $3, $4, $5, $6, $7) on conflict (type, version) do nothing`,
    producer: `insert into ${q}.schema_producers (type, version, source, first_at, last_at) values ($1, $2, $3, $4, $4)
      on conflict (type, version, source) do update set last_at = excluded.last_at`,
    stored: `select fingerprint from ${q}.schemas where type = $1 and version = $2`,
  };
}
