/**
 * The partition of a key: FNV-1a (32-bit) of its UTF-8 bytes, modulo the partition count.
 * Stable across processes, machines and Factline versions: changing it would reorder keys, so it
 * never changes.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return fnvBytes(Buffer.from(key, 'utf8'), partitions);
    hash ^= c;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/** The same hash over UTF-8 bytes, for keys with characters beyond ASCII. */
function fnvBytes(bytes: Buffer, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
