/**
 * Longest-prefix match over IPAM prefixes, built once and queried a whole
 * batch column at a time without allocating per lookup.
 *
 * Layout: the prefixes are flattened into sorted disjoint ranges, each
 * carrying the id of its most specific cover, held in flat typed arrays:
 *  - IPv4-mapped addresses (most flows) use 32-bit range starts (Uint32Array);
 *  - everything else uses 128-bit starts, 4 words per range (Uint32Array, stride 4).
 * A 65537-entry index per side on the address's top 16 bits (the /16 for
 * IPv4, the first group for IPv6) narrows each binary search to the ranges
 * starting there: on 100k prefixes that measured ~1.6x a plain binary search
 * over all ranges, and a 20-bit index (4 MiB) or a DIR-24-8 radix array
 * (64 MiB) bought nothing worth the memory. services/bench/lookup-bench.ts measures it next
 * to a Map per prefix length.
 *
 * Semantics: the id of the most specific prefix containing the address, or -1.
 * Identical prefixes: the one listed last wins (the caller lists by ascending
 * precedence).
 */
import { LITTLE_ENDIAN, swap, word } from './words.js';

export { compilePrefixTable } from './compile.js';

export interface PrefixInput {
  /** 16 bytes (IPv4 as ::ffff:a.b.c.d); host bits past len are ignored. */
  net: Uint8Array;
  /** 0..128 in the v6 space (IPv4 /n is 96+n). */
  len: number;
  /** Distinct integer in 0..2^31-1; `parents` has maxId+1 entries, so keep ids dense (e.g. the index of the record). */
  id: number;
}

export interface PrefixTableSize {
  prefixes: number;
  v4Ranges: number;
  v6Ranges: number;
  /** Bytes of all typed arrays, index and parents included. */
  bytes: number;
}

export interface PrefixTableTransfer {
  /** Pass these as the transfer list: they move, the sending table is unusable afterwards. */
  buffers: ArrayBuffer[];
  meta: { layout: typeof LAYOUT; prefixes: number };
}

const LAYOUT = 'ranges-idx16-v1';
/** Bytes 8..11 of a mapped address (00 00 ff ff) read as one native word. */
const MAPPED_WORD = LITTLE_ENDIAN ? 0xffff0000 : 0x0000ffff;

/** The typed arrays of a table; each owns its whole buffer (built at exact size), so transferring one moves nothing else. */
export interface TableArrays {
  /** v4 range starts, ascending, s4[0] = 0 */
  s4: Uint32Array;
  o4: Int32Array;
  /** x4[h] = last v4 range starting at or below h << 16 */
  x4: Uint32Array;
  /** v6 range starts, 4 big-endian words each */
  k6: Uint32Array;
  o6: Int32Array;
  /** x6[h] = last v6 range starting at or below h << 112 */
  x6: Uint32Array;
  parents: Int32Array;
}
const ARRAY_ORDER = ['s4', 'o4', 'x4', 'k6', 'o6', 'x6', 'parents'] as const;

export class PrefixTable {
  private readonly s4: Uint32Array;
  private readonly o4: Int32Array;
  private readonly x4: Uint32Array;
  private readonly k6: Uint32Array;
  private readonly o6: Int32Array;
  private readonly x6: Uint32Array;
  /**
   * parents[id] = id of the immediate enclosing prefix, -1 for a root or an
   * unused id. Among identical prefixes the later one's parent is the
   * earlier one, so walking the chain visits every record of a CIDR in
   * descending precedence before its enclosing prefixes.
   */
  readonly parents: Int32Array;

  /** Use compilePrefixTable or fromTransferable. */
  private constructor(a: TableArrays, private readonly prefixes: number) {
    this.s4 = a.s4; this.o4 = a.o4; this.x4 = a.x4; this.k6 = a.k6; this.o6 = a.o6; this.x6 = a.x6; this.parents = a.parents;
  }

  /** @internal for compilePrefixTable */
  static fromArrays(a: TableArrays, prefixes: number): PrefixTable {
    return new PrefixTable(a, prefixes);
  }

  /** Address in 16 bytes at addr[offset..offset+16). */
  lookup(addr: Uint8Array, offset: number): number {
    const w0 = word(addr, offset), w1 = word(addr, offset + 4), w2 = word(addr, offset + 8), w3 = word(addr, offset + 12);
    if (w0 === 0 && w1 === 0 && w2 === 0xffff) return this.lookupV4(w3);
    return this.lookupV6(w0, w1, w2, w3);
  }

  /** IPv4 address as an unsigned 32-bit number. */
  lookupV4(a: number): number {
    const s = this.s4, h = a >>> 16;
    let lo = this.x4[h]!, hi = this.x4[h + 1]!;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= a) lo = mid; else hi = mid - 1;
    }
    return this.o4[lo]!;
  }

  /** 128-bit address as four unsigned 32-bit words, most significant first. */
  lookupV6(w0: number, w1: number, w2: number, w3: number): number {
    const k = this.k6, h = w0 >>> 16;
    let lo = this.x6[h]!, hi = this.x6[h + 1]!;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1, m = mid * 4;
      let le: boolean;
      const a0 = k[m]!;
      if (a0 !== w0) le = a0 < w0;
      else {
        const a1 = k[m + 1]!;
        if (a1 !== w1) le = a1 < w1;
        else {
          const a2 = k[m + 2]!;
          le = a2 !== w2 ? a2 < w2 : k[m + 3]! <= w3;
        }
      }
      if (le) lo = mid; else hi = mid - 1;
    }
    return this.o6[lo]!;
  }

  /** out[r] = id for the address at ips[r*16..], -1 for no match or a null row (nulls[r] === 1). */
  lookupColumn(ips: Uint8Array, nulls: Uint8Array, rows: number, out: Int32Array): void {
    if (rows * 16 > ips.length || rows > nulls.length || rows > out.length) {
      throw new RangeError(`lookupColumn: ${rows} rows but ${ips.length / 16} addresses, ${nulls.length} nulls, ${out.length} outputs`);
    }
    if ((ips.byteOffset & 3) !== 0) {
      for (let r = 0; r < rows; r++) out[r] = nulls[r] === 1 ? -1 : this.lookup(ips, r * 16);
      return;
    }
    // one view per call, not per row: reads a word at a time and tells v4 from v6 in three compares
    const w = new Uint32Array(ips.buffer, ips.byteOffset, rows * 4);
    for (let r = 0; r < rows; r++) {
      if (nulls[r] === 1) { out[r] = -1; continue; }
      const q = r * 4;
      const n0 = w[q]!, n1 = w[q + 1]!, n2 = w[q + 2]!, n3 = w[q + 3]!;
      if (n0 === 0 && n1 === 0 && n2 === MAPPED_WORD) out[r] = this.lookupV4(LITTLE_ENDIAN ? swap(n3) : n3);
      else if (LITTLE_ENDIAN) out[r] = this.lookupV6(swap(n0), swap(n1), swap(n2), swap(n3));
      else out[r] = this.lookupV6(n0, n1, n2, n3);
    }
  }

  get size(): PrefixTableSize {
    let bytes = 0;
    for (const a of this.arrays()) bytes += a.byteLength;
    return { prefixes: this.prefixes, v4Ranges: this.s4.length, v6Ranges: this.o6.length, bytes };
  }

  /** Zero-copy hand-over (postMessage(t, t.buffers)); this table must not be used after the buffers move. */
  toTransferable(): PrefixTableTransfer {
    return { buffers: this.arrays().map((a) => a.buffer as ArrayBuffer), meta: { layout: LAYOUT, prefixes: this.prefixes } };
  }

  static fromTransferable(t: PrefixTableTransfer): PrefixTable {
    if (t.meta.layout !== LAYOUT || t.buffers.length !== ARRAY_ORDER.length) throw new Error(`unknown prefix table layout ${String(t.meta.layout)}`);
    const b = (k: number) => t.buffers[k]!;
    return new PrefixTable({
      s4: new Uint32Array(b(0)), o4: new Int32Array(b(1)), x4: new Uint32Array(b(2)), k6: new Uint32Array(b(3)),
      o6: new Int32Array(b(4)), x6: new Uint32Array(b(5)), parents: new Int32Array(b(6)),
    }, t.meta.prefixes);
  }

  private arrays(): (Uint32Array | Int32Array)[] {
    return ARRAY_ORDER.map((k) => this[k]);
  }
}
