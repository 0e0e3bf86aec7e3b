import { randomBytes, randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
const pool = Buffer.alloc(16 * 512);
let poolOffset = pool.length;

function random16(): Buffer {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return slice;
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids made in
 * the same millisecond by this process strictly increasing, then random bits. Ids sort by creation
 * time, which keeps the inbox index append-only.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
  }
  const ms = lastMs;
  const rnd = random16();
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const timeHex = hex(ms, 12);
  const randA = hex(0x7000 | counter, 4);
  const variant = hex(0x8000 | (rnd.readUInt16BE(0) & 0x3fff), 4);
  const tail = rnd.toString('hex', 2, 8);
  return `${timeHex.slice(0, 8)}-${timeHex.slice(8)}-${randA}-${variant}-${tail}`;
}

/** Milliseconds since the epoch encoded in a UUIDv7, or undefined when the id is not a v7 UUID. */
export function uuidv7Time(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** A W3C trace context `traceparent` for a new root trace (sampled). */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** A child `traceparent` in the same trace as `parent`, with a new span id. */
export function childTraceparent(parent: string): string {
  const parts = parent.split('-');
  if (parts.length !== 4 || parts[1]?.length !== 32) return newTraceparent();
  return `${parts[0]}-${parts[1]}-${randomBytes(8).toString('hex')}-${parts[3]}`;
}
