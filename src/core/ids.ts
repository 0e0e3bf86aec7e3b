import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
const pool = Buffer.alloc(16 * 4096);
let poolOffset = pool.length;

let poolHex = '';

/** Random hex from a pool refilled by the CSPRNG 64 KiB at a time. */
function randomHex(bytes: 8 | 16): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    poolOffset = 0;
  }
  const hex = poolHex.slice(poolOffset * 2, (poolOffset + bytes) * 2);
  poolOffset += bytes;
  return hex;
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
  const rnd = randomHex(8);
  const timeHex = ms.toString(16).padStart(12, '0');
  const randA = (0x7000 | counter).toString(16);
  const variant = (0x8000 | (parseInt(rnd.slice(0, 4), 16) & 0x3fff)).toString(16);
  return `${timeHex.slice(0, 8)}-${timeHex.slice(8)}-${randA}-${variant}-${rnd.slice(4)}`;
}

/** Milliseconds since the epoch encoded in a UUIDv7, or undefined when the id is not a v7 UUID. */
export function uuidv7Time(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** A W3C trace context `traceparent` for a new root trace (sampled). */
export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

/** A child `traceparent` in the same trace as `parent`, with a new span id. */
export function childTraceparent(parent: string): string {
  const parts = parent.split('-');
  if (parts.length !== 4 || parts[1]?.length !== 32) return newTraceparent();
  return `${parts[0]}-${parts[1]}-${randomHex(8)}-${parts[3]}`;
}
