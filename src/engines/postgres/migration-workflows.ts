/**
 * Scheduled deliveries, sent commands and their decisions, workflow instances and their history
 * (the statements are in ../process-sql.ts).
 */
export function migrationWorkflows(s: string): string {
  const q = `"${s}"`;
  return `
create table ${q}.scheduled (
  id text primary key, source text not null, type text not null, key text not null, partition int not null,
  due_at bigint not null, created_at bigint not null, body text not null);
create index scheduled_due on ${q}.scheduled (due_at);
create index scheduled_key on ${q}.scheduled (key);
create table ${q}.commands (
  id text not null, source text not null, type text not null, key text not null, sent_at bigint not null,
  status text not null, reason text, grp text, decided_at bigint,
  primary key (id, source));
create index commands_status on ${q}.commands (status, type);
create table ${q}.workflows (
  name text not null, key text not null, state text not null, done int not null, data text not null,
  timers text not null, commands text not null, entries int not null, correlation_id text not null,
  started_at bigint not null, updated_at bigint not null,
  primary key (name, key));
create index workflows_state on ${q}.workflows (name, state);
create table ${q}.workflow_history (
  name text not null, key text not null, n int not null, at bigint not null, kind text not null,
  event_id text not null, event_type text not null, timer text, from_state text, to_state text, detail text not null,
  primary key (name, key, n));
`;
}
