/**
 * Migration 3: the handler declarations of every group (`Engine.declareHandlers`), one row per
 * group, type and version; times in ms since epoch like the other tables.
 */
export function migrationHandlers(s: string): string {
  const q = `"${s}"`;
  return `
create table ${q}.handlers (
  grp text not null, type text not null, version int not null, kind text not null, member text not null,
  declared_at bigint not null, seen_at bigint not null,
  primary key (grp, type, version));
`;
}
