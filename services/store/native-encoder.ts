/**
 * Serializes a FlowBatch into ClickHouse's Native format: the engine's own
 * columnar layout, so the insert does no parsing at all. Measured against TSV
 * and raw inserts when choosing the embedded insert path (see README, bench).
 *
 * Only columns the batch may have set are sent; the rest take their default
 * (NULL). Strings go as LowCardinality: the batch's dictionary once and a code
 * per row, which is what the batch holds already. Copying each row's bytes out
 * (plain String) was as costly as parsing them (profile of the large bench set:
 * 2.9 s of encoding against 3.6 s of parsing), and it sat on the critical path,
 * between one insert and the next. The engine casts the column to the table's
 * type on insert (LowCardinality or plain String).
 */
import { FLOW_COLUMNS, type ColumnKind } from '../../schemas/flow.js';
import type { FlowBatch } from '../core/flow-batch.js';
import { flowsOrder } from './flows-order.js';

const NATIVE_BASE: Record<ColumnKind, string> = {
  str: 'String', u8: 'UInt8', u16: 'UInt16', u32: 'UInt32', u64: 'UInt64', ip: 'IPv6', time: "DateTime64(3, 'UTC')",
};
const WIDTH: Record<ColumnKind, number> = { str: 0, u8: 1, u16: 2, u32: 4, u64: 8, ip: 16, time: 8 };

function varintLen(n: number): number {
  let l = 1;
  while (n >= 0x80) { n = Math.floor(n / 128); l++; }
  return l;
}
function writeVarint(out: Buffer, o: number, n: number): number {
  while (n >= 0x80) { out[o++] = (n & 0x7f) | 0x80; n = Math.floor(n / 128); }
  out[o++] = n;
  return o;
}

let scratch = new Uint32Array(0);
function scratchWords(n: number): Uint32Array {
  if (scratch.length < n) scratch = new Uint32Array(n);
  return scratch;
}

export interface NativeBlock { columns: string[]; data: Buffer }

/**
 * `alloc`: where the block's bytes go (a store may hand back a buffer it kept from the previous block).
 * `order`: the rows in the order to write them; by default the flows table's key order, so that the engine
 * skips its own sort (flows-order.ts); null for as they are.
 */
export function encodeNative(batch: FlowBatch, alloc: (size: number) => Buffer = Buffer.allocUnsafe, order: Uint32Array | null = flowsOrder(batch)): NativeBlock {
  const n = batch.length;
  const cols: number[] = [];
  for (let c = 0; c < FLOW_COLUMNS.length; c++) {
    if (batch.present[c]) cols.push(c);
    else if (!FLOW_COLUMNS[c]!.nullable) throw new Error(`native encoder: required column ${FLOW_COLUMNS[c]!.name} was never set`);
  }
  const types = cols.map((c) => {
    const def = FLOW_COLUMNS[c]!;
    if (def.kind === 'str') return def.nullable ? 'LowCardinality(Nullable(String))' : 'LowCardinality(String)';
    return def.nullable ? `Nullable(${NATIVE_BASE[def.kind]})` : NATIVE_BASE[def.kind];
  });
  const lcs = cols.map((c) => (FLOW_COLUMNS[c]!.kind === 'str' ? lowCardinality(batch, c, n) : null));
  // size first, so the block is one allocation
  let size = varintLen(cols.length) + varintLen(n);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const def = FLOW_COLUMNS[c]!;
    size += varintLen(def.name.length) + def.name.length + varintLen(types[i]!.length) + types[i]!.length;
    const lc = lcs[i];
    if (lc) size += lc.size;
    else size += (def.nullable ? n : 0) + n * WIDTH[def.kind];
  }
  const out = alloc(size);
  if (out.length !== size) throw new Error(`native encoder: got a buffer of ${out.length} bytes for a block of ${size}`);
  let o = writeVarint(out, 0, cols.length);
  o = writeVarint(out, o, n);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const def = FLOW_COLUMNS[c]!;
    o = writeVarint(out, o, def.name.length); o += out.write(def.name, o, 'latin1');
    o = writeVarint(out, o, types[i]!.length); o += out.write(types[i]!, o, 'latin1');
    const lc = lcs[i];
    if (lc) { o = writeLowCardinality(batch, c, lc, n, out, o, order); continue; }
    if (def.nullable) o = writeNulls(batch.nulls[c]!, n, out, o, order);
    o = writeValues(batch, c, def.kind, n, out, o, order);
  }
  if (o !== size) throw new Error(`native encoder size mismatch: ${o} != ${size}`);
  return { columns: cols.map((c) => FLOW_COLUMNS[c]!.name), data: out };
}

/*
 * A LowCardinality column in Native, as the engine writes one itself: a UInt64
 * keys version (1, shared dictionaries with additional keys) before the data,
 * then UInt64 flags (additional keys and a dictionary update, with the index
 * width), the dictionary (its size, then each key as a String), the row count
 * and one index per row. Position 0 of the dictionary is the default value ('')
 * and, for a Nullable one, means NULL, with position 1 the default: so the
 * empty string maps to 0 or 1 and the batch's other codes follow.
 */
const LC_KEYS_VERSION = 1;
const LC_UPDATE_ALL = (1 << 9) | (1 << 10);

interface LcPlan { remap: Uint32Array; keys: number; width: 1 | 2 | 4; size: number }

function lowCardinality(batch: FlowBatch, c: number, n: number): LcPlan {
  const dict = batch.dicts[c]!;
  const { lens } = dict.storage();
  const nullable = FLOW_COLUMNS[c]!.nullable;
  const remap = new Uint32Array(dict.size);
  const empty = nullable ? 1 : 0;
  let keys = empty + 1, dictBytes = keys;
  for (let k = 0; k < dict.size; k++) {
    const len = lens[k]!;
    if (len === 0) { remap[k] = empty; continue; }
    remap[k] = keys++;
    dictBytes += varintLen(len) + len;
  }
  const width = keys <= 0x100 ? 1 : keys <= 0x10000 ? 2 : 4;
  return { remap, keys, width, size: 8 + 8 + 8 + dictBytes + 8 + n * width };
}

function writeU64(out: Buffer, o: number, v: number): number {
  out.writeUInt32LE(v >>> 0, o);
  out.writeUInt32LE(Math.floor(v / 4294967296), o + 4);
  return o + 8;
}

function writeLowCardinality(batch: FlowBatch, c: number, plan: LcPlan, n: number, out: Buffer, o: number, order: Uint32Array | null): number {
  const { remap, keys, width } = plan;
  const nullable = FLOW_COLUMNS[c]!.nullable;
  o = writeU64(out, o, LC_KEYS_VERSION);
  o = writeU64(out, o, LC_UPDATE_ALL | (width === 1 ? 0 : width === 2 ? 1 : 2));
  o = writeU64(out, o, keys);
  out[o++] = 0; // the default ('')
  if (nullable) out[o++] = 0; // NULL's slot, then the default
  const { data, offs, lens } = batch.dicts[c]!.storage();
  for (let k = 0; k < remap.length; k++) {
    const len = lens[k]!;
    if (len === 0) continue;
    o = writeVarint(out, o, len);
    out.set(data.subarray(offs[k]!, offs[k]! + len), o);
    o += len;
  }
  o = writeU64(out, o, n);
  const codes = batch.codes[c]!, nulls = batch.nulls[c]!;
  // 2- and 4-byte indexes go through the scratch words (the block offset need not be aligned), not an array per column
  const idx = width === 1 ? out.subarray(o, o + n) : width === 2 ? new Uint16Array(scratchWords((n + 1) >> 1).buffer, 0, n) : scratchWords(n).subarray(0, n);
  // index 0 is NULL, or '' in a column that cannot be NULL (a row a parser left unset): never a stale code
  if (order) for (let r = 0; r < n; r++) { const s = order[r]!; idx[r] = nulls[s] ? 0 : remap[codes[s]!]!; }
  else for (let r = 0; r < n; r++) idx[r] = nulls[r] ? 0 : remap[codes[r]!]!;
  if (width !== 1) out.set(new Uint8Array(idx.buffer, 0, n * width), o);
  return o + n * width;
}

function writeNulls(nulls: Uint8Array, n: number, out: Buffer, o: number, order: Uint32Array | null): number {
  if (!order) out.set(nulls.subarray(0, n), o);
  else for (let r = 0; r < n; r++) out[o + r] = nulls[order[r]!]!;
  return o + n;
}

/** Rows taken in `order` when given: gathered through the scratch words, since `out` need not be aligned. */
function writeValues(batch: FlowBatch, c: number, kind: ColumnKind, n: number, out: Buffer, o: number, order: Uint32Array | null): number {
  const nulls = batch.nulls[c]!;
  switch (kind) {
    case 'ip': {
      // null slots may hold stale bytes from a rejected row; the engine ignores them under the null map
      if (!order) { out.set(batch.ip[c]!.subarray(0, n * 16), o); return o + n * 16; }
      const src = batch.ip[c]!;
      const from = new Uint32Array(src.buffer, src.byteOffset, src.length >>> 2);
      const words = scratchWords(n * 4);
      for (let r = 0; r < n; r++) {
        const s = order[r]! * 4, w = r * 4;
        words[w] = from[s]!; words[w + 1] = from[s + 1]!; words[w + 2] = from[s + 2]!; words[w + 3] = from[s + 3]!;
      }
      out.set(new Uint8Array(words.buffer, 0, n * 16), o);
      return o + n * 16;
    }
    case 'u64': case 'time': {
      const src = batch.num[c] as Float64Array;
      const words = scratchWords(n * 2);
      for (let r = 0; r < n; r++) {
        const s = order ? order[r]! : r;
        const v = nulls[s] ? 0 : src[s]!;
        const hi = Math.floor(v / 4294967296);
        words[2 * r] = v - hi * 4294967296;
        words[2 * r + 1] = hi;
      }
      out.set(new Uint8Array(words.buffer, 0, n * 8), o);
      return o + n * 8;
    }
    default: {
      const src = batch.num[c] as Uint8Array | Uint16Array | Uint32Array;
      const width = src.BYTES_PER_ELEMENT;
      if (!order) { out.set(new Uint8Array(src.buffer, src.byteOffset, n * width), o); return o + n * width; }
      const words = scratchWords(Math.ceil((n * width) / 4));
      const to = width === 1 ? new Uint8Array(words.buffer, 0, n) : width === 2 ? new Uint16Array(words.buffer, 0, n) : words.subarray(0, n);
      for (let r = 0; r < n; r++) to[r] = src[order[r]!]!;
      out.set(new Uint8Array(words.buffer, 0, n * width), o);
      return o + n * width;
    }
  }
}
