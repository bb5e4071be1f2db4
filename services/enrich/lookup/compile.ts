/**
 * Prefix list -> PrefixTable arrays. The IPv4-mapped prefixes (nearly all of
 * them) are sorted as packed 64-bit keys by the engine's native numeric sort,
 * with no comparator and no object per prefix; the IPv6 rest uses BigInt,
 * which its usual few thousand prefixes make cheap.
 */
import { ownerAt, sweep } from './flatten.js';
import { PrefixTable, type PrefixInput } from './prefix-table.js';
import { LITTLE_ENDIAN, maskOf, word } from './words.js';

const INDEX = 65537;
const V6_LIMIT = 1n << 128n;
const MAPPED_BASE = 0xffffn << 32n; // ::ffff:0.0.0.0
const SEQ_BITS = 26; // v4 sort key low word: (len - 96) << 26 | position among the v4 prefixes

/**
 * Builds the table. Host bits past len are ignored. Throws RangeError on a
 * malformed entry: net not 16 bytes, len outside 0..128, id not a distinct
 * integer in 0..2^31-1.
 */
export function compilePrefixTable(prefixes: readonly PrefixInput[]): PrefixTable {
  const n = prefixes.length;
  const ids = new Int32Array(n);
  const kind = new Uint8Array(n); // 1 = IPv4-mapped /96 or longer
  let maxId = -1, n4 = 0;
  for (let i = 0; i < n; i++) {
    const p = prefixes[i]!;
    if (p.net.length !== 16) throw new RangeError(`prefix #${i}: net must be 16 bytes, got ${p.net.length}`);
    if (!Number.isInteger(p.len) || p.len < 0 || p.len > 128) throw new RangeError(`prefix #${i}: length ${p.len} outside 0..128`);
    if (!Number.isInteger(p.id) || p.id < 0 || p.id > 0x7fffffff) throw new RangeError(`prefix #${i}: id ${p.id} outside 0..2^31-1`);
    ids[i] = p.id;
    if (p.id > maxId) maxId = p.id;
    if (p.len >= 96 && word(p.net, 0) === 0 && word(p.net, 4) === 0 && word(p.net, 8) === 0xffff) { kind[i] = 1; n4++; }
  }
  if (n4 >= 2 ** SEQ_BITS) throw new RangeError(`${n4} IPv4 prefixes: at most ${2 ** SEQ_BITS - 1}`);

  const parentIdx = new Int32Array(n);
  const flat6 = sweep(sortedV6(prefixes, kind), 0n, V6_LIMIT, -1, parentIdx);
  // prefixes of /96 or shorter that hold the whole mapped space own what no v4 prefix covers
  const flat4 = sweep(sortedV4(prefixes, kind, n4), 0, 2 ** 32, ownerAt(flat6, MAPPED_BASE), parentIdx);

  const parents = new Int32Array(maxId + 1).fill(-1);
  const seen = new Uint8Array(maxId + 1);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (seen[id]) throw new RangeError(`prefix #${i}: id ${id} used twice`);
    seen[id] = 1;
    const p = parentIdx[i]!;
    parents[id] = p < 0 ? -1 : ids[p]!;
  }
  const toIds = (owners: number[]) => {
    const out = new Int32Array(owners.length);
    for (let k = 0; k < owners.length; k++) out[k] = owners[k]! < 0 ? -1 : ids[owners[k]!]!;
    return out;
  };

  const s4 = Uint32Array.from(flat4.starts);
  const x4 = buildIndex(s4.length, (k, h) => s4[k]! <= h * 65536);
  const k6 = new Uint32Array(flat6.starts.length * 4);
  flat6.starts.forEach((s, k) => {
    for (let j = 0; j < 4; j++) k6[k * 4 + j] = Number((s >> BigInt(96 - 32 * j)) & 0xffffffffn);
  });
  const x6 = buildIndex(flat6.starts.length, (k, h) => {
    const w0 = k6[k * 4]!, top = h * 65536;
    return w0 < top || (w0 === top && k6[k * 4 + 1] === 0 && k6[k * 4 + 2] === 0 && k6[k * 4 + 3] === 0);
  });
  return PrefixTable.fromArrays({ s4, o4: toIds(flat4.owners), x4, k6, o6: toIds(flat6.owners), x6, parents }, n);
}

function sortedV4(prefixes: readonly PrefixInput[], kind: Uint8Array, n4: number) {
  const keys = new BigUint64Array(n4);
  const halves = new Uint32Array(keys.buffer);
  const [HI, LO] = LITTLE_ENDIAN ? [1, 0] : [0, 1];
  const entryOf = new Int32Array(n4);
  for (let i = 0, k = 0; i < prefixes.length; i++) {
    if (!kind[i]) continue;
    const p = prefixes[i]!;
    halves[2 * k + HI] = (word(p.net, 12) & maskOf(p.len - 96)) >>> 0;
    halves[2 * k + LO] = ((p.len - 96) << SEQ_BITS) | k;
    entryOf[k++] = i;
  }
  keys.sort(); // start, then shorter first, then listing order: the sweep order, natively
  const start = new Float64Array(n4), endEx = new Float64Array(n4), entry = new Int32Array(n4);
  for (let k = 0; k < n4; k++) {
    const lo = halves[2 * k + LO]!;
    start[k] = halves[2 * k + HI]!;
    endEx[k] = start[k]! + 2 ** (32 - (lo >>> SEQ_BITS));
    entry[k] = entryOf[lo & ((1 << SEQ_BITS) - 1)]!;
  }
  return { start, endEx, entry };
}

function sortedV6(prefixes: readonly PrefixInput[], kind: Uint8Array) {
  const items: { start: bigint; endEx: bigint; i: number }[] = [];
  for (let i = 0; i < prefixes.length; i++) {
    if (kind[i]) continue;
    const { net, len } = prefixes[i]!;
    let start = 0n;
    for (let j = 0; j < 4; j++) start = (start << 32n) | BigInt((word(net, j * 4) & maskOf(len - 32 * j)) >>> 0);
    items.push({ start, endEx: start + (1n << BigInt(128 - len)), i });
  }
  items.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.endEx > b.endEx ? -1 : a.endEx < b.endEx ? 1 : a.i - b.i));
  return { start: items.map((x) => x.start), endEx: items.map((x) => x.endEx), entry: items.map((x) => x.i) };
}

/** x[h] = last range k whose start is at or below the h-th 1/65536 of the space; range 0 starts at 0, so k >= 0. */
function buildIndex(ranges: number, startAtOrBelow: (k: number, h: number) => boolean): Uint32Array {
  const x = new Uint32Array(INDEX);
  let k = 0;
  for (let h = 0; h < INDEX; h++) {
    while (k + 1 < ranges && startAtOrBelow(k + 1, h)) k++;
    x[h] = k;
  }
  return x;
}
