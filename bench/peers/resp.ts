/**
 * A minimal Redis client (RESP2 over one TCP connection, pipelined) for the BullMQ peer.
 *
 * BullMQ 6 needs a Redis driver but none is among this project's dependencies. BullMQ
 * ships an adapter (createBunRedisClient) for clients with Bun's RedisClient shape
 * (`send(command, args)`, `connected`, `onconnect`/`onclose`, `connect()`, `close()`,
 * async `duplicate()`), so this class implements exactly that shape and nothing more.
 */
import { Socket } from 'node:net';

export type Reply = string | number | null | Error | Reply[];

export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
}

const CRLF = 13;

/** Parses one reply at `pos`; undefined when the buffer does not hold all of it yet. */
function parse(buf: Buffer, pos: number): [Reply, number] | undefined {
  if (pos >= buf.length) return undefined;
  const eol = buf.indexOf(CRLF, pos);
  if (eol < 0 || eol + 1 >= buf.length) return undefined;
  const type = buf[pos];
  const line = buf.toString('utf8', pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case 0x2b: // '+'
      return [line, next];
    case 0x2d: // '-'
      return [new RedisReplyError(line), next];
    case 0x3a: // ':'
      return [Number(line), next];
    case 0x24: {
      // '$'
      const len = Number(line);
      if (len < 0) return [null, next];
      if (next + len + 2 > buf.length) return undefined;
      return [buf.toString('utf8', next, next + len), next + len + 2];
    }
    case 0x2a: {
      // '*'
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, at);
        if (!item) return undefined;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`unexpected RESP type byte ${String(type)}`);
  }
}

function encode(command: string, args: readonly (string | Buffer | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length + 1}\r\n$${Buffer.byteLength(command)}\r\n${command}\r\n`)];
  for (const arg of args) {
    const data = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${data.length}\r\n`), data, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

interface Pending {
  resolve: (value: Reply) => void;
  reject: (err: Error) => void;
}

export class RespClient {
  connected = false;
  onconnect: (() => void) | undefined;
  onclose: ((err?: Error) => void) | undefined;
  onerror: ((err: Error) => void) | undefined;
  private socket: Socket | undefined;
  private connecting: Promise<void> | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private outbox: Buffer[] = [];

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.connecting ??= new Promise<void>((resolve, reject) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.connect(this.port, this.host, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.onerror?.(err));
        this.socket = socket;
        this.connected = true;
        this.onconnect?.();
        resolve();
      });
      socket.on('data', (chunk) => this.receive(chunk));
      socket.on('close', () => this.closed());
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  send(command: string, args: readonly (string | Buffer | number)[] = []): Promise<Reply> {
    const socket = this.socket;
    if (!this.connected || !socket) return Promise.reject(new Error('Connection closed'));
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({
        resolve: (value) => (value instanceof Error ? reject(value) : resolve(value)),
        reject,
      });
      // Commands issued in the same tick go out in one write (pipelining).
      if (this.outbox.push(encode(command, args)) === 1) process.nextTick(() => this.flush());
    });
  }

  /** Like send(), for replies expected to be bulk strings. */
  async text(command: string, args: readonly (string | number)[] = []): Promise<string> {
    const reply = await this.send(command, args);
    return typeof reply === 'string' ? reply : JSON.stringify(reply);
  }

  close(): void {
    this.socket?.destroy();
  }

  async get(key: string): Promise<string | null> {
    const reply = await this.send('GET', [key]);
    return typeof reply === 'string' ? reply : null;
  }

  async smembers(key: string): Promise<Reply[]> {
    const reply = await this.send('SMEMBERS', [key]);
    return Array.isArray(reply) ? reply : [];
  }

  async incr(key: string): Promise<number> {
    return Number(await this.send('INCR', [key]));
  }

  async duplicate(): Promise<RespClient> {
    const copy = new RespClient(this.host, this.port);
    await copy.connect();
    return copy;
  }

  private flush(): void {
    const out = this.outbox;
    this.outbox = [];
    if (out.length > 0) this.socket?.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    for (;;) {
      const parsed = parse(this.buffer, pos);
      if (!parsed) break;
      pos = parsed[1];
      this.pending.shift()?.resolve(parsed[0]);
    }
    this.buffer = pos >= this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(pos);
  }

  private closed(): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.socket = undefined;
    this.outbox = [];
    for (const p of this.pending.splice(0)) p.reject(new Error('Connection closed'));
    if (wasConnected) this.onclose?.();
  }
}
