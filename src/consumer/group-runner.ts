import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Engine } from '../core/engine.js';
import { PartitionWorker } from './partition-worker.js';
import type { GroupSettings } from './settings.js';

export interface MembershipOptions {
  /** A member whose heartbeat is older than this loses its leases (default 10 s). */
  readonly leaseTtlMs: number;
  /** How often a member renews its leases and rebalances (default a third of the lease time). */
  readonly heartbeatMs: number;
}

/**
 * One process's membership in a consumer group: renews its leases, runs a worker per owned
 * partition, gives back its surplus when members join, and on stop finishes in-flight work and
 * releases everything.
 */
export class GroupRunner {
  readonly member = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly workers = new Map<number, PartitionWorker>();
  /** Partitions whose worker is stopping (and is then released, when given back). */
  private readonly stopping = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;
  /** ms since epoch of the last heartbeat tried and of the last one that succeeded (0 before). */
  lastBeatAt = 0;
  lastBeatOkAt = 0;

  constructor(
    private readonly engine: Engine,
    private readonly settings: GroupSettings,
    private readonly membership: MembershipOptions,
  ) {}

  async start(): Promise<void> {
    // A group that starts from now fixes its position in every partition before start() resolves,
    // so that whatever is published after it is delivered, whichever member takes the partition.
    if (this.settings.startFrom === 'now') {
      for (let p = 0; p < this.settings.partitions; p++) await this.engine.position(this.settings.name, p, 'now');
    }
    const specs = [...this.settings.handlers].flatMap(([type, versions]) =>
      [...versions].filter(([, r]) => !r.upcast).map(([version, r]) => ({ type, version, kind: r.command ? ('command' as const) : ('event' as const) })),
    );
    await this.engine.declareHandlers(this.settings.name, this.member, specs);
    await this.beat();
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.beat());
    }, this.membership.heartbeatMs);
    this.timer.unref?.();
  }

  /** The consumer group's name. */
  get group(): string {
    return this.settings.name;
  }

  /** Wakes the workers of `partitions` (all of them when undefined). */
  poke(partitions?: readonly number[]): void {
    if (!partitions) {
      for (const w of this.workers.values()) w.poke();
      return;
    }
    for (const p of partitions) this.workers.get(p)?.poke();
  }

  /** The lease time and heartbeat interval of this membership. */
  get timing(): MembershipOptions {
    return this.membership;
  }

  /** Partitions this member works on now. */
  get partitions(): number[] {
    return [...this.workers.keys()].sort((a, b) => a - b);
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    this.lastBeatAt = Date.now();
    try {
      for (const [p, w] of this.workers) if (w.ended) this.workers.delete(p);
      const assignment = await this.engine.heartbeat(this.settings.name, this.member, this.membership.leaseTtlMs);
      this.lastBeatOkAt = Date.now();
      if (this.stopped) return;
      const owned = new Set(assignment.owned);
      for (const [p, w] of this.workers) {
        if (!owned.has(p)) this.stopInBackground(p, w, false);
      }
      // Workers stop in the background: their in-flight handlers may take a while, and the next
      // heartbeats must not wait for them (the other leases would expire meanwhile).
      const surplus = assignment.owned.length - assignment.target - this.stopping.size;
      const candidates = [...assignment.owned].filter((p) => !this.stopping.has(p)).sort((a, b) => b - a);
      const giveBack = surplus > 0 ? candidates.slice(0, surplus) : [];
      for (const p of giveBack) {
        const w = this.workers.get(p);
        if (w) this.stopInBackground(p, w, true);
        else void this.engine.release(this.settings.name, this.member, [p]).catch((err: unknown) => this.failed('release', err));
      }
      for (const p of assignment.owned) {
        if (giveBack.includes(p) || this.workers.has(p) || this.stopping.has(p)) continue;
        const w = new PartitionWorker(this.engine, this.settings, { group: this.settings.name, partition: p, member: this.member });
        this.workers.set(p, w);
        w.start();
      }
    } catch (err) {
      this.failed('heartbeat', err);
    }
  }

  /** Stops a worker without waiting for it; releases its partition afterwards when asked. */
  private stopInBackground(partition: number, worker: PartitionWorker, release: boolean): void {
    this.workers.delete(partition);
    const done = worker
      .stop()
      .then(() => (release ? this.engine.release(this.settings.name, this.member, [partition]) : undefined))
      .catch((err: unknown) => this.failed('release', err))
      .finally(() => this.stopping.delete(partition));
    this.stopping.set(partition, done);
  }

  private failed(what: string, err: unknown): void {
    this.settings.logger.error({ group: this.settings.name, member: this.member, err: String(err) }, `${what} failed; retrying`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.beating;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    await Promise.all([...this.stopping.values()]);
    await this.engine.leave(this.settings.name, this.member);
  }
}
