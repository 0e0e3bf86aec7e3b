/** An envelope attribute read from an event's stored body (the envelope JSON that Factline wrote). */
export function bodyAttribute(name: 'correlationid' | 'subject'): string {
  return `((body::json) ->> '${name}')`;
}

/**
 * Migration 4: the indexes `admin.trace` and `dlq list --subject` look up by: events by
 * correlation id and by subject (expressions over the stored body, so the rows of every writer
 * are indexed; a body that is not JSON cannot be stored any more), dead letters by event and by
 * subject. Building them reads the whole events table once, and blocks appends meanwhile.
 */
export function migrationTrace(s: string): string {
  const q = `"${s}"`;
  return `
create index events_correlation on ${q}.events (${bodyAttribute('correlationid')});
create index events_subject on ${q}.events (${bodyAttribute('subject')});
create index dead_letters_event on ${q}.dead_letters (event_id);
create index dead_letters_subject on ${q}.dead_letters (subject);
`;
}
