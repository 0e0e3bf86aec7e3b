/**
 * The canonical workload: N events of about 300 bytes of JSON over 1,000 entity keys.
 *
 * Event ids are UUIDs (version 4 layout) whose last 12 hex digits are the event's index in
 * the workload, behind a random per-workload prefix. The harness can therefore map a
 * delivered id back to its index without a hash map, which keeps verification of a
 * 1,000,000-event backlog at a few megabytes.
 */
import { randomUUID } from 'node:crypto';
import type { BenchEvent } from './system.js';

export const DEFAULT_EVENTS = 100_000;
export const ENTITY_KEYS = 1_000;
export const TARGET_BYTES = 300;

const TYPES = ['order.placed', 'order.paid', 'order.shipped', 'order.cancelled'] as const;
const EPOCH = Date.UTC(2025, 0, 1);

export class Workload {
  /** "xxxxxxxx-xxxx-4xxx-yxxx-": ids are this prefix plus 12 hex digits of the index. */
  readonly prefix: string;
  private cached: BenchEvent[] | undefined;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1 || size > 0xffff_ffff_ffff) {
      throw new Error(`workload size must be a positive integer, got ${size}`);
    }
    this.prefix = randomUUID().slice(0, 24);
  }

  idAt(index: number): string {
    return this.prefix + index.toString(16).padStart(12, '0');
  }

  /** The index of an id of this workload, or -1 if the id is not one of its events. */
  indexOf(id: string): number {
    if (id.length !== 36 || !id.startsWith(this.prefix)) return -1;
    const index = parseInt(id.slice(24), 16);
    return Number.isInteger(index) && index < this.size ? index : -1;
  }

  /** Builds event `index`; deterministic apart from the id prefix. */
  event(index: number): BenchEvent {
    const id = this.idAt(index);
    const key = `customer-${String((index * 7919) % ENTITY_KEYS).padStart(4, '0')}`;
    const head = {
      id,
      type: TYPES[index % TYPES.length],
      key,
      occurredAt: new Date(EPOCH + index * 1000).toISOString(),
      data: {
        orderId: `ord-${String(index).padStart(9, '0')}`,
        amountCents: 1000 + ((index * 37) % 90_000),
        currency: 'EUR',
        lines: 1 + (index % 7),
        channel: index % 3 === 0 ? 'web' : 'store',
        note: '',
      },
    };
    const bare = JSON.stringify(head).length;
    head.data.note = 'x'.repeat(Math.max(0, TARGET_BYTES - bare));
    return { id, key, body: JSON.stringify(head) };
  }

  /** Events [from, to), built on demand (for workloads too large to hold at once). */
  slice(from: number, to: number): BenchEvent[] {
    const out: BenchEvent[] = [];
    for (let i = from; i < Math.min(to, this.size); i++) out.push(this.event(i));
    return out;
  }

  /** All events, built once and kept. */
  all(): readonly BenchEvent[] {
    this.cached ??= this.slice(0, this.size);
    return this.cached;
  }
}

/** Decodes a delivered message body (JSON) and returns the event's id, as a handler would. */
export function decodeId(body: string | Buffer | Uint8Array): string {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed === 'object' && parsed !== null && 'id' in parsed && typeof parsed.id === 'string') {
    return parsed.id;
  }
  throw new Error('delivered message has no string "id"');
}

/** The id of an event already decoded by a client library (e.g. a job's `data`). */
export function idOf(data: unknown): string {
  if (typeof data === 'object' && data !== null && 'id' in data && typeof data.id === 'string') {
    return data.id;
  }
  throw new Error('delivered payload has no string "id"');
}
