import type { PgPool, PgPoolClient } from './types.js';

/**
 * Holds one pooled connection that LISTENs on the log's channel and calls `onNotify` for every
 * notification (appends of any process send one per append, naming its partitions). When the connection drops
 * it reconnects with backoff (up to 5 s) and calls `onNotify` once after reconnecting, since
 * notifications sent meanwhile are lost. Best effort: consumers poll as well.
 */
export class NotificationListener {
  private client: PgPoolClient | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private delay = 100;

  constructor(
    private readonly pool: PgPool,
    private readonly channel: string,
    private readonly onNotify: (partitions?: readonly number[]) => void,
    private readonly onError: (err: unknown) => void,
    /** Whether a notification from this server process was told in this process already. */
    private readonly toldAlready: (processId: number | undefined) => boolean = () => false,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let client: PgPoolClient | undefined;
    try {
      client = await this.pool.connect();
      client.on('notification', (m) => {
        if (m.channel === this.channel && !this.toldAlready(m.processId)) this.onNotify(partitionsOf(m.payload));
      });
      const broken = (err?: Error) => this.dropped(client!, err);
      client.on('error', (err) => broken(err));
      client.on('end', () => broken());
      await client.query(`listen "${this.channel}"`);
      if (this.closed) {
        this.discard(client);
        return;
      }
      this.client = client;
      this.delay = 100;
    } catch (err) {
      if (client) this.discard(client, err instanceof Error ? err : new Error(String(err)));
      this.scheduleReconnect(err);
    }
  }

  private dropped(client: PgPoolClient, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.discard(client, err ?? new Error('listener connection ended'));
    this.scheduleReconnect(err);
  }

  private scheduleReconnect(err: unknown): void {
    if (this.closed || this.retryTimer) return;
    this.onError(err);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect().then(() => {
        if (this.client) this.onNotify();
      });
    }, this.delay);
    this.retryTimer.unref?.();
    this.delay = Math.min(this.delay * 2, 5000);
  }

  private discard(client: PgPoolClient, err?: Error): void {
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    // Keep an error listener: a late socket error on a dropped client must not crash the process.
    client.on('error', () => undefined);
    try {
      client.release(err ?? true);
    } catch {
      // released already
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query(`unlisten "${this.channel}"`).catch(() => undefined);
      this.discard(client);
    }
  }
}

/** The partitions an append's notification names (`"0,3,7"`), or undefined for any partition. */
export function partitionsOf(payload: string | undefined): readonly number[] | undefined {
  if (!payload) return undefined;
  const parts = payload.split(',').map(Number);
  return parts.every((p) => Number.isInteger(p) && p >= 0) ? parts : undefined;
}
