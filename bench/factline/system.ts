/**
 * Factline under the canonical workload, on any log engine. A topic is a fresh log; the
 * publisher is one app, each consumer group another app on the same log (as separate services
 * would be), started when the harness starts the group. A group's handler reports the delivery;
 * the harness hears that its marks are durable from the group's onCommitted hook (inbox rows and
 * the position commit in one transaction).
 */
import { createFactline, type Factline } from 'factline';
import { BenchOrderEvent, PARTITIONS } from './event.js';
import type { BenchEvent, BenchSystem, BenchTopic, GroupSink, RetryingGroupOptions } from '../system.js';
import { countEffects, createEffectsTable, startEffectGroup } from './effect-group.js';
import { dropLog, openEngine, type EngineSpec } from './engine-spec.js';

export { BenchOrderEvent, PARTITIONS };

/** What an engine-specific system provides: fresh logs and a cleanup. */
export interface LogFactory {
  /** Where log number `topic` lives (see engine-spec.ts; openEngine() connects to it). */
  spec(topic: number): EngineSpec;
  /** Removes what the factory itself made (a directory), after the last topic. */
  dispose?(): Promise<void>;
}

class FactlineTopic implements BenchTopic {
  private readonly publisher: Factline<unknown>;
  private readonly consumers: Factline<unknown>[] = [];
  private effectsTable = false;

  constructor(private readonly spec: EngineSpec) {
    this.publisher = createFactline({ engine: openEngine(spec), source: 'bench/orders', partitions: PARTITIONS });
  }

  async open(): Promise<void> {
    await this.publisher.start();
  }

  async publishBatch(events: readonly BenchEvent[]): Promise<void> {
    await this.publisher.publishAll(events.map((e) => ({ event: BenchOrderEvent, data: JSON.parse(e.body) as never, options: { id: e.id } })));
  }

  async publishOne(event: BenchEvent): Promise<void> {
    await this.publisher.publish(BenchOrderEvent, JSON.parse(event.body) as never, { id: event.id });
  }

  async startGroup(group: number, sink: GroupSink): Promise<void> {
    const app = createFactline({ engine: openEngine(this.spec), source: 'bench/orders', partitions: PARTITIONS });
    const positions = new Array<number>(PARTITIONS).fill(0);
    // Each commit makes the inbox rows and the position of a partition durable together.
    const onCommitted = ({ partition, position }: { partition: number; position: number }) => {
      const moved = position - positions[partition]!;
      if (moved > 0) {
        positions[partition] = position;
        sink.done(moved);
      }
    };
    app.consumer(`group-${group}`, { batchSize: 1000, onCommitted }).on(BenchOrderEvent, (event) => sink.started(event.id));
    await app.start();
    this.consumers.push(app);
  }

  async startRetryingGroup(group: number, work: (id: string) => Promise<void>, sink: GroupSink, options: RetryingGroupOptions): Promise<string> {
    if (!this.effectsTable) await createEffectsTable(this.publisher, this.spec);
    this.effectsTable = true;
    const { app, retry } = await startEffectGroup(this.spec, group, work, sink, options);
    this.consumers.push(app);
    return retry;
  }

  effects(): Promise<{ rows: number; distinct: number }> {
    return countEffects(this.publisher, this.spec);
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.publisher.stop();
    await dropLog(this.spec);
  }
}

export class FactlineSystem implements BenchSystem {
  readonly kind = 'factline' as const;
  readonly retries = true;
  private topics = 0;

  constructor(
    readonly name: string,
    readonly durability: string,
    readonly marks: string,
    private readonly factory: () => Promise<LogFactory>,
    private readonly probe: () => Promise<string | null>,
  ) {}

  private made: LogFactory | undefined;

  available(): Promise<string | null> {
    return this.probe();
  }

  async setup(): Promise<void> {
    this.made = await this.factory();
  }

  async teardown(): Promise<void> {
    await this.made?.dispose?.();
    this.made = undefined;
  }

  async createTopic(_groups: number): Promise<BenchTopic> {
    if (!this.made) throw new Error(`${this.name}: setup() was not called`);
    const topic = new FactlineTopic(this.made.spec(++this.topics));
    await topic.open();
    return topic;
  }

  freshLog(): EngineSpec {
    if (!this.made) throw new Error(`${this.name}: setup() was not called`);
    return this.made.spec(++this.topics);
  }
}
