import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine, PartitionStatus } from '../core/engine.js';

/** One consumer group of this app, as its health says. */
export interface GroupHealth {
  readonly group: string;
  /** This process's member of the group. */
  readonly member: string;
  /** Partitions this member works on now (0 is fine when the group has more members than partitions). */
  readonly partitions: readonly number[];
  /** ms since epoch of the last heartbeat that renewed the member's leases. */
  readonly lastHeartbeatAt?: number;
  /** Its heartbeat loop ran within two heartbeat intervals (the loop is alive). */
  readonly loopAlive: boolean;
  /** Its last successful heartbeat is younger than the lease time (its leases are its own). */
  readonly leasesHeld: boolean;
  /** Events after the group's positions, summed over partitions (absent when the store is unreachable). */
  readonly lag?: number;
  /** ms since epoch of the group's oldest event not handled yet. */
  readonly oldestUnhandledAt?: number;
}

/**
 * What `app.health()` says. `live`: the app runs and every group's heartbeat loop is alive (a
 * liveness probe restarts the process when false). `ready`: live, the store answers, and every
 * group's member holds its leases (a readiness probe sends no work when false). Lag is reported,
 * never judged: how far behind is too far is the operator's call.
 */
export interface Health {
  readonly live: boolean;
  readonly ready: boolean;
  /** ms since epoch. */
  readonly checkedAt: number;
  readonly state: 'starting' | 'running' | 'stopped';
  readonly store: { readonly ok: boolean; readonly ms: number; readonly error?: string };
  readonly groups: readonly GroupHealth[];
}

/** What health reads of an app's groups. */
export interface RunnerView {
  readonly group: string;
  readonly member: string;
  readonly partitions: readonly number[];
  readonly lastBeatAt: number;
  readonly lastBeatOkAt: number;
  readonly timing: { readonly leaseTtlMs: number; readonly heartbeatMs: number };
}

async function checkStore(engine: Engine, timeoutMs: number): Promise<{ ok: boolean; ms: number; error?: string; status?: PartitionStatus[] }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const status = await Promise.race([engine.check().then(() => engine.admin.status()), timeout]);
    return { ok: true, ms: Date.now() - started, status };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** The health of an app from its engine and its group runners. */
export async function healthOf(engine: Engine, state: Health['state'], runners: readonly RunnerView[], timeoutMs: number): Promise<Health> {
  const now = Date.now();
  if (state !== 'running') {
    return { live: state === 'starting', ready: false, checkedAt: now, state, store: { ok: false, ms: 0, error: `the app is ${state}` }, groups: [] };
  }
  const store = await checkStore(engine, timeoutMs);
  const groups = runners.map((r): GroupHealth => {
    const mine = store.status?.filter((s) => s.group === r.group);
    const oldest = mine?.flatMap((s) => (s.oldestUnhandledAt === undefined ? [] : [s.oldestUnhandledAt]));
    return {
      group: r.group,
      member: r.member,
      partitions: r.partitions,
      ...(r.lastBeatOkAt ? { lastHeartbeatAt: r.lastBeatOkAt } : {}),
      loopAlive: now - r.lastBeatAt <= 2 * r.timing.heartbeatMs + 1000,
      leasesHeld: r.lastBeatOkAt > 0 && now - r.lastBeatOkAt < r.timing.leaseTtlMs,
      ...(mine ? { lag: mine.reduce((n, s) => n + Math.max(0, s.head - s.position), 0) } : {}),
      ...(oldest?.length ? { oldestUnhandledAt: Math.min(...oldest) } : {}),
    };
  });
  const live = groups.every((g) => g.loopAlive);
  const ready = live && store.ok && groups.every((g) => g.leasesHeld);
  const { status: _status, ...storeReport } = store;
  return { live, ready, checkedAt: now, state, store: storeReport, groups };
}

/**
 * A Node HTTP handler for probes: `GET .../live` answers 200 when `live`, `GET .../ready` 200 when
 * `ready`, any other path 200 when both; 503 otherwise. The body is the Health as JSON.
 * `http.createServer(healthHandler(app)).listen(8080)`.
 */
export function healthHandler(app: { health(): Promise<Health> }): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    app.health().then(
      (h) => {
        const path = (req.url ?? '/').split('?')[0]!;
        const ok = path.endsWith('/live') ? h.live : path.endsWith('/ready') ? h.ready : h.live && h.ready;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(h));
      },
      (err: unknown) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ live: false, ready: false, error: String(err) }));
      },
    );
  };
}
