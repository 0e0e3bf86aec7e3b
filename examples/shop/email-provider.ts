import Database from 'better-sqlite3';

/**
 * A fake external e-mail provider, in process, with its own storage (a separate SQLite file, as a
 * real provider keeps its own database). Like real providers it deduplicates by an idempotency key:
 * a second call with the same key sends nothing and returns the first message id. It fails
 * transiently (a simulated HTTP 503) on a share of the calls, decided by a seeded random sequence.
 */
export class EmailProvider {
  private readonly db: Database.Database;
  private seed: number;
  calls = 0;
  failures = 0;
  duplicates = 0;

  constructor(file: string, private readonly failureRate: number, seed = 7) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec('create table if not exists sent (idempotency_key text primary key, message_id text not null, recipient text not null, template text not null)');
    this.seed = seed;
  }

  /** mulberry32: the same run of numbers on every run of the demo. */
  private random(): number {
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Sends once per idempotency key; throws on a simulated outage. */
  async send(message: { idempotencyKey: string; to: string; template: string }, signal?: AbortSignal): Promise<string> {
    this.calls++;
    await new Promise((r) => setTimeout(r, 1));
    signal?.throwIfAborted();
    const existing = this.db.prepare('select message_id from sent where idempotency_key = ?').get(message.idempotencyKey) as { message_id: string } | undefined;
    if (existing) {
      this.duplicates++;
      return existing.message_id;
    }
    if (this.random() < this.failureRate) {
      this.failures++;
      throw new Error('email provider answered 503 Service Unavailable (simulated); retry later');
    }
    const messageId = `msg-${this.calls}-${message.idempotencyKey.slice(-8)}`;
    this.db.prepare('insert into sent (idempotency_key, message_id, recipient, template) values (?, ?, ?, ?)').run(message.idempotencyKey, messageId, message.to, message.template);
    return messageId;
  }

  sentCount(): number {
    return (this.db.prepare('select count(*) as n from sent').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
