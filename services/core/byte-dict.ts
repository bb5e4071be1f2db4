/**
 * Interns byte ranges into dense integer codes without creating a JS string per
 * record: the hot path hashes the bytes in place and only compares bytes on a
 * hash hit. Strings are decoded lazily, once per distinct value.
 */
const EMPTY = -1;

export class ByteDict {
  private table: Int32Array;
  private hashes: Uint32Array;
  private offs: Uint32Array;
  private lens: Uint32Array;
  private data: Uint8Array;
  private dataLen = 0;
  private decoded: (string | undefined)[] = [];
  size = 0;

  constructor(initialSlots = 1024) {
    this.table = new Int32Array(initialSlots).fill(EMPTY);
    this.hashes = new Uint32Array(initialSlots >> 1);
    this.offs = new Uint32Array(initialSlots >> 1);
    this.lens = new Uint32Array(initialSlots >> 1);
    this.data = new Uint8Array(initialSlots * 16);
  }

  /** Code of bytes [start, end) of buf, adding it when new. */
  intern(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return this.internHashed(buf, start, end, h >>> 0);
  }

  /** intern() for a caller that already computed the FNV-1a hash while scanning the bytes. */
  internHashed(buf: Uint8Array, start: number, end: number, h: number): number {
    const mask = this.table.length - 1;
    let slot = h & mask;
    const len = end - start;
    for (;;) {
      const code = this.table[slot]!;
      if (code === EMPTY) break;
      if (this.hashes[code] === h && this.lens[code] === len && this.same(code, buf, start, len)) return code;
      slot = (slot + 1) & mask;
    }
    return this.add(buf, start, len, h, slot);
  }

  /** Code of a JS string (constants, Azure JSON values): not for per-record hot loops on bytes. */
  internString(s: string): number {
    const b = Buffer.from(s, 'utf8');
    return this.intern(b, 0, b.length);
  }

  get(code: number): string {
    let v = this.decoded[code];
    if (v === undefined) {
      v = Buffer.from(this.data.buffer, this.data.byteOffset + this.offs[code]!, this.lens[code]!).toString('utf8');
      this.decoded[code] = v;
    }
    return v;
  }

  /** The stored bytes of a code (a view: valid until the next intern). */
  bytes(code: number): Uint8Array {
    const o = this.offs[code]!;
    return this.data.subarray(o, o + this.lens[code]!);
  }

  byteLength(code: number): number {
    return this.lens[code]!;
  }

  /** Raw storage for serializers that copy many values: (data, offsets, lengths). */
  storage(): { data: Uint8Array; offs: Uint32Array; lens: Uint32Array } {
    return { data: this.data, offs: this.offs, lens: this.lens };
  }

  clear(): void {
    this.table.fill(EMPTY);
    this.size = 0;
    this.dataLen = 0;
    this.decoded = [];
  }

  private same(code: number, buf: Uint8Array, start: number, len: number): boolean {
    const o = this.offs[code]!;
    const d = this.data;
    for (let i = 0; i < len; i++) if (d[o + i] !== buf[start + i]) return false;
    return true;
  }

  private add(buf: Uint8Array, start: number, len: number, h: number, slot: number): number {
    const code = this.size++;
    if (code >= this.offs.length) this.growEntries();
    if (this.dataLen + len > this.data.length) {
      const next = new Uint8Array(Math.max(this.data.length * 2, this.dataLen + len));
      next.set(this.data.subarray(0, this.dataLen));
      this.data = next;
    }
    this.data.set(buf.subarray(start, start + len), this.dataLen);
    this.offs[code] = this.dataLen;
    this.lens[code] = len;
    this.hashes[code] = h;
    this.dataLen += len;
    this.table[slot] = code;
    if (this.size * 2 > this.table.length) this.rehash();
    return code;
  }

  private growEntries(): void {
    const n = this.offs.length * 2;
    const grow = (a: Uint32Array) => { const b = new Uint32Array(n); b.set(a); return b; };
    this.offs = grow(this.offs);
    this.lens = grow(this.lens);
    this.hashes = grow(this.hashes);
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(EMPTY);
    const mask = table.length - 1;
    for (let code = 0; code < this.size; code++) {
      let slot = this.hashes[code]! & mask;
      while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
      table[slot] = code;
    }
    this.table = table;
  }
}
