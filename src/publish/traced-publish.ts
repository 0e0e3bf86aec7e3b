import type { NewEvent } from '../core/envelope.js';
import type { PublishTrace, Telemetry } from '../observe/telemetry.js';

/**
 * The publish side of telemetry: each envelope is built inside its PRODUCER span (whose context
 * becomes the envelope's traceparent), and the span ends once the append resolved or failed.
 * Made only when telemetry is on; publishes never touch it otherwise.
 */
export class TracedPublishes {
  private readonly open = new WeakMap<NewEvent, PublishTrace>();

  constructor(private readonly telemetry: Telemetry) {}

  /** Starts the span of a publish of `type` and builds its envelope with the span's context. */
  build(type: string, parent: unknown, explicit: { readonly traceparent?: string | undefined; readonly tracestate?: string | undefined } | undefined, make: (trace: PublishTrace) => NewEvent): NewEvent {
    const trace = this.telemetry.startPublish(type, parent, explicit);
    try {
      const event = make(trace);
      this.open.set(event, trace);
      return event;
    } catch (err) {
      trace.end(undefined, undefined, err);
      throw err;
    }
  }

  /** Runs `append`, then ends the spans of `events`: with the stored envelopes, or the error. */
  async append<R>(events: readonly NewEvent[], append: (events: readonly NewEvent[]) => Promise<R>): Promise<R> {
    try {
      const stored = await append(events);
      this.ended(events);
      return stored;
    } catch (err) {
      this.ended(events, err);
      throw err;
    }
  }

  private ended(events: readonly NewEvent[], error?: unknown): void {
    for (const e of events) {
      const trace = this.open.get(e);
      if (!trace) continue;
      this.open.delete(e);
      trace.end(error === undefined ? e.envelope : undefined, e.partition, error);
    }
  }
}
