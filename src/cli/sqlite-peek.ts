import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads rows of one table of a SQLite database file by parsing its b-trees directly (the format of
 * https://www.sqlite.org/fileformat2.html), with a plain read-only file descriptor: no SQLite
 * connection, so no lock, no -wal, -shm or -journal file and no change of any kind to the file.
 * It sees what the main file holds, not what a -wal file holds; callers use it only when no -wal
 * file exists (a WAL-mode database nobody has open). Throws PeekError on anything it cannot parse.
 */
export class PeekError extends Error {}

type Value = string | number | bigint | Buffer | null;

class Pages {
  readonly pageSize: number;
  readonly usable: number;
  readonly count: number;
  readonly utf16?: 'le' | 'be';
  private readonly fd: number;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
    try {
      const header = Buffer.alloc(100);
      if (readSync(this.fd, header, 0, 100, 0) < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') {
        throw new PeekError('file is not a database');
      }
      const raw = header.readUInt16BE(16);
      this.pageSize = raw === 1 ? 65536 : raw;
      if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0) throw new PeekError(`bad page size ${raw}`);
      this.usable = this.pageSize - header[20]!;
      this.count = Math.floor(fstatSync(this.fd).size / this.pageSize);
      const encoding = header.readUInt32BE(56);
      if (encoding === 2) this.utf16 = 'le';
      else if (encoding === 3) this.utf16 = 'be';
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  page(n: number): Buffer {
    if (!Number.isInteger(n) || n < 1 || n > this.count) throw new PeekError(`page ${n} is outside the file (${this.count} pages)`);
    const buf = Buffer.alloc(this.pageSize);
    if (readSync(this.fd, buf, 0, this.pageSize, (n - 1) * this.pageSize) < this.pageSize) throw new PeekError(`short read of page ${n}`);
    return buf;
  }

  text(b: Buffer): string {
    if (!this.utf16) return b.toString('utf8');
    if (this.utf16 === 'le') return b.toString('utf16le');
    const swapped = Buffer.from(b);
    return swapped.swap16().toString('utf16le');
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A SQLite varint at `at`: its value (as a number, exact below 2^53) and its length. */
function varint(b: Buffer, at: number): [number, number] {
  let v = 0n;
  for (let i = 0; i < 9; i++) {
    if (at + i >= b.length) throw new PeekError('varint past the end of a page');
    const byte = b[at + i]!;
    if (i === 8) return [Number((v << 8n) | BigInt(byte)), 9];
    v = (v << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) return [Number(v), i + 1];
  }
  throw new PeekError('bad varint');
}

/** The payload of a cell that starts at `at` (after its size varint), following overflow pages. */
function payload(p: Pages, page: Buffer, at: number, size: number, index: boolean): Buffer {
  const u = p.usable;
  const max = index ? Math.floor(((u - 12) * 64) / 255) - 23 : u - 35;
  if (size <= max) return page.subarray(at, at + size);
  const min = Math.floor(((u - 12) * 32) / 255) - 23;
  const k = min + ((size - min) % (u - 4));
  const local = k <= max ? k : min;
  const parts = [page.subarray(at, at + local)];
  let have = local;
  let next = page.readUInt32BE(at + local);
  for (let hops = 0; have < size; hops++) {
    if (hops > p.count) throw new PeekError('overflow chain loops');
    const o = p.page(next);
    const take = Math.min(size - have, u - 4);
    parts.push(o.subarray(4, 4 + take));
    have += take;
    next = o.readUInt32BE(0);
  }
  return Buffer.concat(parts);
}

/** The column values of a record. */
function record(p: Pages, b: Buffer): Value[] {
  const [headerSize, n0] = varint(b, 0);
  const types: number[] = [];
  for (let at = n0; at < headerSize; ) {
    const [t, n] = varint(b, at);
    types.push(t);
    at += n;
  }
  const out: Value[] = [];
  let at = headerSize;
  for (const t of types) {
    if (t === 0) out.push(null);
    else if (t >= 1 && t <= 6) {
      const len = [0, 1, 2, 3, 4, 6, 8][t]!;
      out.push(len === 8 ? b.readBigInt64BE(at) : b.readIntBE(at, len));
      at += len;
    } else if (t === 7) {
      out.push(b.readDoubleBE(at));
      at += 8;
    } else if (t === 8 || t === 9) out.push(t - 8);
    else if (t >= 12) {
      const len = Math.floor((t - 12) / 2);
      const bytes = b.subarray(at, at + len);
      out.push(t % 2 === 0 ? Buffer.from(bytes) : p.text(bytes));
      at += len;
    } else throw new PeekError(`reserved serial type ${t}`);
    if (at > b.length) throw new PeekError('record past its payload');
  }
  return out;
}

/** Every record of the b-tree rooted at `root` (a table or an index b-tree), in key order. */
function records(p: Pages, root: number): Value[][] {
  const out: Value[][] = [];
  const visited = new Set<number>();
  const walk = (n: number) => {
    if (visited.has(n)) throw new PeekError(`page ${n} is reached twice`);
    visited.add(n);
    const page = p.page(n);
    const h = n === 1 ? 100 : 0;
    const type = page[h]!;
    const cells = page.readUInt16BE(h + 3);
    const interior = type === 2 || type === 5;
    if (!interior && type !== 10 && type !== 13) throw new PeekError(`page ${n} is not a b-tree page (type ${type})`);
    const pointers = h + (interior ? 12 : 8);
    for (let i = 0; i < cells; i++) {
      let at = page.readUInt16BE(pointers + 2 * i);
      if (interior) walk(page.readUInt32BE(at));
      if (type === 5) continue; // table interior cells hold only a child and a rowid
      if (interior) at += 4;
      const [size, n1] = varint(page, at);
      at += n1;
      if (type === 13) at += varint(page, at)[1]; // the rowid
      out.push(record(p, payload(p, page, at, size, type !== 13)));
    }
    if (interior) walk(page.readUInt32BE(h + 8));
  };
  walk(root);
  return out;
}

/**
 * The names of the file's tables, and the rows of table `name` as arrays of column values (absent
 * when there is no such table). For a WITHOUT ROWID table the primary key columns come first, as
 * SQLite stores them.
 */
export function peekTable(file: string, name: string): { tables: string[]; rows?: Value[][] } {
  const p = new Pages(file);
  try {
    const schema = records(p, 1).filter((r) => r[0] === 'table'); // sqlite_schema: type, name, tbl_name, rootpage, sql
    const tables = schema.map((r) => String(r[1]));
    const entry = schema.find((r) => r[1] === name);
    return entry ? { tables, rows: records(p, Number(entry[3])) } : { tables };
  } finally {
    p.close();
  }
}
