import type { Engine, LogRecord } from '../core/engine.js';
import { FactlineError } from '../core/errors.js';

/** A stored event as the CLI shows it: where it is in the log, and its envelope. */
export interface EventView {
  readonly partition: number;
  readonly sequence: number;
  readonly envelope: Record<string, unknown>;
}

function parseEnvelope(rec: LogRecord): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(rec.body);
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // fall through: shown as the raw body
  }
  return { id: rec.id, source: rec.source, type: rec.type, body: rec.body };
}

export function eventView(rec: LogRecord): EventView {
  return { partition: rec.partition, sequence: rec.sequence, envelope: parseEnvelope(rec) };
}

export async function showEvent(engine: Engine, id: string): Promise<EventView> {
  const rec = await engine.admin.findEvent(id);
  if (!rec) throw new FactlineError('NOT_FOUND', `no event with id ${id} in this log`);
  return eventView(rec);
}

export function renderEvent(v: EventView): string {
  return [`event ${String(v.envelope.id)} (partition ${v.partition}, sequence ${v.sequence})`, JSON.stringify(v.envelope, null, 2)].join('\n');
}

/** One line of `tail`: time, type, subject, position, id. */
export function tailLine(v: EventView): string {
  const e = v.envelope;
  return [String(e.time ?? '-'), String(e.type ?? '-'), String(e.subject ?? '-'), `p${v.partition}#${v.sequence}`, String(e.id ?? '-')].join('  ');
}

export interface TailOptions {
  readonly type?: string | undefined;
  readonly subject?: string | undefined;
  readonly fromBeginning: boolean;
  readonly pollMs: number;
}

function matches(v: EventView, o: TailOptions): boolean {
  if (o.type !== undefined && v.envelope.type !== o.type) return false;
  if (o.subject !== undefined && v.envelope.subject !== o.subject) return false;
  return true;
}

/**
 * Follows the log: polls every partition from its head (or from the start) and calls `emit` for
 * each matching event, in sequence order within a partition. Runs until `signal` aborts.
 */
export async function tail(engine: Engine, partitions: number, o: TailOptions, emit: (v: EventView) => void, signal: AbortSignal): Promise<void> {
  const positions = o.fromBeginning ? new Array<number>(partitions).fill(0) : await engine.admin.heads();
  while (!signal.aborted) {
    let any = false;
    for (let p = 0; p < partitions && !signal.aborted; p++) {
      const records = await engine.read(p, positions[p] ?? 0, 500);
      for (const rec of records) {
        positions[p] = rec.sequence;
        const v = eventView(rec);
        if (matches(v, o)) emit(v);
      }
      if (records.length > 0) any = true;
    }
    if (!any) await pause(o.pollMs, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
