/**
 * The order of the flows table's sort key, `(toStartOfHour(start_time),
 * src_addr, dst_addr, start_time)` (sql/migrations/0001_flows.sql), for a
 * batch's rows.
 *
 * Why we sort before the engine does: a MergeTree insert checks whether its
 * block is already in key order and, when it is, skips both the sort and the
 * permuted copy of every column it otherwise makes before writing the part.
 * The engine alone, the large bench set's eight 262k-row blocks inserted as
 * they came and pre-sorted: 0.69-0.73x the insert time and CPU, 80-155 MB less
 * peak RSS. Whole ingests: the same speed (this sort and the encoder's gathers
 * cost the parsing thread about what the engine saves), 45-100 MB less peak
 * (docs/performance.md, Where the ingest's time goes).
 *
 * If this order ever differs from the table's (a server table with another
 * key, a NULL or time edge the engine orders otherwise), nothing is wrong, only
 * slower: the engine's check fails and it sorts the block itself.
 */
import { COLUMN_INDEX } from '../../schemas/flow.js';
import type { FlowBatch } from '../core/flow-batch.js';

const START = COLUMN_INDEX.start_time, SRC = COLUMN_INDEX.src_addr, DST = COLUMN_INDEX.dst_addr;
const HOUR_MS = 3_600_000;
const RADIX = 1 << 16;

const hist = new Uint32Array(RADIX);
let a = new Uint32Array(0), b = new Uint32Array(0), key = new Uint32Array(0);
let hourOf = new Uint32Array(0), msOf = new Uint32Array(0), wordOf = new Uint32Array(0);

/**
 * The rows of `batch` in the table's key order (a stable sort: equal keys keep
 * their order), or null when they are in that order already. An LSD radix
 * sort on 16-bit digits, least significant first: the time within the hour,
 * dst, src, the hour. A digit every row shares costs no pass, so an
 * IPv4-mapped address is two passes, not eight. The array is reused by the
 * next call: consume it before sorting another batch.
 */
export function flowsOrder(batch: FlowBatch): Uint32Array | null {
  const n = batch.length;
  if (n < 2) return null;
  if (a.length < n) {
    a = new Uint32Array(n); b = new Uint32Array(n); key = new Uint32Array(n);
    hourOf = new Uint32Array(n); msOf = new Uint32Array(n); wordOf = new Uint32Array(n);
  }
  const start = batch.num[START] as Float64Array;
  // hours relative to the first row's, then to the lowest: one division a row
  const base = Math.floor(start[0]! / HOUR_MS);
  let minRel = 0, msVary = 0;
  for (let r = 0; r < n; r++) {
    const h = Math.floor(start[r]! / HOUR_MS);
    const rel = h - base;
    hourOf[r] = rel;
    if (rel < minRel) minRel = rel;
    msOf[r] = start[r]! - h * HOUR_MS;
    msVary |= msOf[r]! ^ msOf[0]!;
  }
  let hourVary = 0;
  for (let r = 0; r < n; r++) { hourOf[r] = hourOf[r]! - minRel; hourVary |= hourOf[r]! ^ hourOf[0]!; }
  for (let r = 0; r < n; r++) a[r] = r;
  const s: Sorting = { from: a, to: b, n };
  for (let shift = 0; shift < 32; shift += 16) if ((msVary >>> shift) & 0xffff) byWord(s, msOf, shift);
  byAddress(s, batch, DST);
  byAddress(s, batch, SRC);
  for (let shift = 0; shift < 32; shift += 16) if ((hourVary >>> shift) & 0xffff) byWord(s, hourOf, shift);
  const out = s.from;
  for (let r = 0; r < n; r++) if (out[r] !== r) return out.subarray(0, n);
  return null;
}

interface Sorting { from: Uint32Array; to: Uint32Array; n: number }

function byWord(s: Sorting, words: Uint32Array, shift: number): void {
  const { from, n } = s;
  for (let i = 0; i < n; i++) key[i] = (words[from[i]!]! >>> shift) & 0xffff;
  scatter(s);
}

/**
 * A nullable address, least significant first: its low 32 bits, then its upper
 * 96 bits, then a NULL flag (the engine puts NULL last). Digits are read from
 * arrays in row order, so a pass reads 1 MB at random, not the 4 MB of slots.
 */
function byAddress(s: Sorting, batch: FlowBatch, c: number): void {
  if (!batch.present[c]) return; // every row NULL: one key for all
  const n = s.n, nulls = batch.nulls[c]!;
  const slot = batch.ip[c]!;
  const w = new Uint32Array(slot.buffer, slot.byteOffset, n * 4);
  let ref = -1;
  for (let r = 0; r < n && ref < 0; r++) if (!nulls[r]) ref = r;
  if (ref < 0) return; // every row NULL
  // which bits vary among the non-NULL rows (a NULL row's slot may hold stale bytes: never read)
  const r0 = w[4 * ref]!, r1 = w[4 * ref + 1]!, r2 = w[4 * ref + 2]!, r3 = w[4 * ref + 3]!;
  let lowVary = 0, anyNull = 0, upperOdd = 0;
  for (let r = 0; r < n; r++) {
    if (nulls[r]) { anyNull = 1; continue; }
    lowVary |= w[4 * r + 3]! ^ r3;
    if ((w[4 * r]! ^ r0) | (w[4 * r + 1]! ^ r1) | (w[4 * r + 2]! ^ r2)) upperOdd++;
  }
  if (lowVary) {
    for (let r = 0; r < n; r++) wordOf[r] = nulls[r] ? 0 : bswap(w[4 * r + 3]!);
    const v = bswap(lowVary);
    for (let shift = 0; shift < 32; shift += 16) if ((v >>> shift) & 0xffff) byWord(s, wordOf, shift);
  }
  if (upperOdd) {
    if (upperOdd <= n >>> 2) byUpperRank(s, w, nulls, ref, upperOdd);
    else {
      for (let j = 2; j >= 0; j--) {
        for (let r = 0; r < n; r++) wordOf[r] = nulls[r] ? 0 : bswap(w[4 * r + j]!);
        for (let shift = 0; shift < 32; shift += 16) byWord(s, wordOf, shift);
      }
    }
  }
  if (anyNull) {
    const { from } = s;
    for (let i = 0; i < n; i++) key[i] = nulls[from[i]!]!;
    scatter(s);
  }
}

const bswap = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

/** Network-order comparison of two rows' upper 96 bits. */
function cmpUpper(w: Uint32Array, a: number, b: number): number {
  for (let j = 0; j < 3; j++) {
    const x = bswap(w[4 * a + j]!), y = bswap(w[4 * b + j]!);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The upper 96 bits as one digit: their rank among the batch's distinct values.
 * Most rows share one (an IPv4 estate: ::ffff:0:0/96), so only the few others
 * are sorted by comparison, and the rank costs one or two passes instead of six.
 */
function byUpperRank(s: Sorting, w: Uint32Array, nulls: Uint8Array, ref: number, odd: number): void {
  const n = s.n;
  const others = new Uint32Array(odd);
  let k = 0;
  for (let r = 0; r < n; r++) {
    if (!nulls[r] && ((w[4 * r]! ^ w[4 * ref]!) | (w[4 * r + 1]! ^ w[4 * ref + 1]!) | (w[4 * r + 2]! ^ w[4 * ref + 2]!))) others[k++] = r;
  }
  others.sort((a, b) => cmpUpper(w, a, b));
  const otherRank = new Uint32Array(odd);
  let rank = 0, prev = -1, refRank = -1;
  for (let i = 0; i < odd; i++) {
    const u = others[i]!;
    if (refRank < 0 && cmpUpper(w, u, ref) > 0) { if (prev >= 0) rank++; refRank = rank; prev = ref; }
    if (prev >= 0 && cmpUpper(w, u, prev) !== 0) rank++;
    otherRank[i] = rank;
    prev = u;
  }
  if (refRank < 0) refRank = rank + 1;
  const ranks = wordOf;
  for (let r = 0; r < n; r++) ranks[r] = nulls[r] ? 0 : refRank;
  for (let i = 0; i < odd; i++) ranks[others[i]!] = otherRank[i]!;
  byWord(s, ranks, 0);
  if (Math.max(rank, refRank) > 0xffff) byWord(s, ranks, 16);
}

/** One stable counting-sort pass of s.from into s.to by `key`, then the two swap. */
function scatter(s: Sorting): void {
  const { from, to, n } = s;
  hist.fill(0);
  for (let i = 0; i < n; i++) hist[key[i]!]!++;
  let sum = 0;
  for (let d = 0; d < RADIX; d++) { const c = hist[d]!; hist[d] = sum; sum += c; }
  for (let i = 0; i < n; i++) to[hist[key[i]!]!++] = from[i]!;
  s.from = to; s.to = from;
}
