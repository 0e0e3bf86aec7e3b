/**
 * Factline's two groups of the slow-group scenario, registered on an app:
 * - `billing`, a store handler: one row per event on ctx.db, in the consume transaction. Its
 *   end-to-end latency is from the publish call (the time in the event's data) to the commit of
 *   the transaction that holds its row (the group's onCommitted hook covering its sequence), and,
 *   as measured for the peers, to the start of its handler (the first time for each event). Both
 *   from event `warm` on: the warm-up's events count as committed, not in the latencies.
 * - `email` (optional), an effect handler that awaits the slow call per event, as a slow outside
 *   provider would, with no commit step.
 */
import { partitionOf, type Factline } from 'factline';
import { rowsTable, type EngineSpec } from '../factline/engine-spec.js';
import { PARTITIONS } from '../factline/event.js';
import { SlowOrder, wallNow } from './event.js';
import type { SlowEffect } from './slow-effect.js';
import { latencyStats, type GroupCounts, type LatencyStats } from './slow-run.js';

export const BILLING_TABLE = 'bench_invoices';

export class SlowGroupConsumers {
  /** Per partition: handled, not yet committed (sequence, publish time). */
  private readonly pending: { seq: number; publishedAt: number; measured: boolean }[][] = Array.from({ length: PARTITIONS }, () => []);
  private readonly seen = new Set<string>();
  private readonly latencies: number[] = [];
  private readonly started = new Set<string>();
  private readonly startLatencies: number[] = [];
  emailHandled = 0;

  constructor(app: Factline<unknown>, spec: EngineSpec, readonly email: SlowEffect | undefined, warm = 0) {
    const table = rowsTable(spec, BILLING_TABLE);
    app
      .consumer('billing', { onCommitted: ({ partition, position }) => this.committed(partition, position) })
      .on(SlowOrder, async (event, ctx) => {
        const partition = partitionOf(event.partitionkey, PARTITIONS);
        const seq = Number(event.sequence);
        const id = `${partition}:${seq}`;
        const measured = event.data.n >= warm;
        if (!this.started.has(id)) {
          this.started.add(id);
          if (measured) this.startLatencies.push(wallNow() - event.data.publishedAt);
        }
        await table.insert(ctx.db, event.id);
        if (!this.seen.has(id)) this.pending[partition]!.push({ seq, publishedAt: event.data.publishedAt, measured });
      });
    if (!email) return;
    app
      .consumer('email', { onCommitted: ({ handled }) => void (this.emailHandled += handled) })
      .effect(SlowOrder, () => email.call());
  }

  private committed(partition: number, position: number): void {
    const list = this.pending[partition];
    if (!list || list.length === 0) return;
    const at = wallNow();
    const rest: typeof list = [];
    for (const item of list) {
      const id = `${partition}:${item.seq}`;
      if (item.seq > position) rest.push(item);
      else if (!this.seen.has(id)) {
        this.seen.add(id);
        if (item.measured) this.latencies.push(at - item.publishedAt);
      }
    }
    this.pending[partition] = rest;
  }

  billingCommitted(): number {
    return this.seen.size;
  }

  billing(): GroupCounts {
    return { committed: this.seen.size, ...latencyStats(this.latencies) };
  }

  billingStart(): LatencyStats {
    return latencyStats(this.startLatencies);
  }

  static async createTable(app: Factline<unknown>, spec: EngineSpec): Promise<void> {
    await app.transaction((tx) => rowsTable(spec, BILLING_TABLE).create(tx.db));
  }
}
