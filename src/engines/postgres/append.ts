import { formatSequence, type NewEvent, type StoredEvent } from '../../core/envelope.js';
import { FactlineError } from '../../core/errors.js';
import { storeCall } from './errors.js';
import type { PgQueryConfig } from './types.js';

/** Runs the append statement; `query` is a connection or a caller's transaction. */
export type AppendQuery = (config: PgQueryConfig) => Promise<{ rows: unknown[] }>;

/**
 * Appends `events` with one statement (the schema's `append` function): one multi-row insert, the
 * partition heads advanced and held until commit. Returns the events with their sequences, in
 * the order given. A refusal of the statement is a StoreError (connection errors pass as they are).
 */
export async function appendEvents(
  query: AppendQuery, statement: (values: unknown[]) => PgQueryConfig, events: readonly NewEvent[], partitions: number, now: number,
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const parts: number[] = [];
  // 1, 2, 3... per partition: the event's place after the partition's head.
  const offsets: number[] = [];
  const count = new Map<number, number>();
  const ids: string[] = [];
  const sources: string[] = [];
  const types: string[] = [];
  const keys: string[] = [];
  const bodies: string[] = [];
  const correlations: (string | null)[] = [];
  const subjects: (string | null)[] = [];
  for (const e of events) {
    if (!Number.isInteger(e.partition) || e.partition < 0 || e.partition >= partitions) {
      throw new FactlineError('INVALID_ARGUMENT', `partition ${e.partition} is outside 0..${partitions - 1}`);
    }
    const { sequence: _stored, ...envelope } = e.envelope;
    parts.push(e.partition);
    const offset = (count.get(e.partition) ?? 0) + 1;
    count.set(e.partition, offset);
    offsets.push(offset);
    ids.push(envelope.id);
    sources.push(envelope.source);
    types.push(envelope.type);
    keys.push(envelope.partitionkey);
    bodies.push(e.json ?? JSON.stringify(envelope));
    correlations.push(asText(envelope.correlationid));
    subjects.push(asText(envelope.subject));
  }
  // JSON.stringify escapes control characters, so U+001E can separate the bodies.
  const res = await storeCall('append', query(statement([parts, offsets, ids, sources, types, keys, bodies.join('\u001e'), now, correlations, subjects])));
  const next = new Map<number, number>();
  for (const row of res.rows as { o_partition: number; o_base: string }[]) next.set(row.o_partition, Number(row.o_base));
  return events.map((e) => {
    const sequence = next.get(e.partition)! + 1;
    next.set(e.partition, sequence);
    const { sequence: _stored, ...envelope } = e.envelope;
    return { partition: e.partition, sequence, envelope: { ...envelope, sequence: formatSequence(sequence) } };
  });
}

/** A trace column's value: PostgreSQL text cannot hold U+0000, which reads as U+0001 there. */
function asText(value: string | undefined): string | null {
  if (value === undefined) return null;
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\u0001') : value;
}

/**
 * The events as stored, if an append of exactly these events committed; undefined if any of them
 * is missing (then that append did not commit). An event found with the same source, id and
 * partition may come from an earlier publish of the same id: consumers handle it once either way.
 */
export async function findStored(
  c: { query(config: PgQueryConfig): Promise<{ rows: unknown[] }> },
  st: { findEvents(values: unknown[]): PgQueryConfig },
  events: readonly NewEvent[],
): Promise<StoredEvent[] | undefined> {
  const res = await c.query(st.findEvents([events.map((e) => e.envelope.id)]));
  const found = new Map<string, number>();
  for (const row of res.rows as { id: string; source: string; partition: number; sequence: string }[]) {
    found.set(`${row.source}\u0000${row.id}\u0000${row.partition}`, Number(row.sequence));
  }
  const stored: StoredEvent[] = [];
  for (const e of events) {
    const sequence = found.get(`${e.envelope.source}\u0000${e.envelope.id}\u0000${e.partition}`);
    if (sequence === undefined) return undefined;
    const { sequence: _stored, ...envelope } = e.envelope;
    stored.push({ partition: e.partition, sequence, envelope: { ...envelope, sequence: formatSequence(sequence) } });
  }
  return stored;
}
