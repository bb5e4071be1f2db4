/**
 * Serializes a FlowBatch into ClickHouse's Native format: the engine's own
 * columnar layout, so the insert does no parsing at all. Measured against TSV
 * and raw inserts when choosing the embedded insert path (see README, bench).
 *
 * Only columns the batch may have set are sent; the rest take their default
 * (NULL). Strings go as Nullable(String) and the engine converts them into the
 * LowCardinality columns on insert.
 */
import { FLOW_COLUMNS, type ColumnKind } from '../../schemas/flow.js';
import type { FlowBatch } from '../core/flow-batch.js';

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

/** `alloc`: where the block's bytes go (a store may hand back a buffer it kept from the previous block). */
export function encodeNative(batch: FlowBatch, alloc: (size: number) => Buffer = Buffer.allocUnsafe): NativeBlock {
  const n = batch.length;
  const cols: number[] = [];
  for (let c = 0; c < FLOW_COLUMNS.length; c++) {
    if (batch.present[c]) cols.push(c);
    else if (!FLOW_COLUMNS[c]!.nullable) throw new Error(`native encoder: required column ${FLOW_COLUMNS[c]!.name} was never set`);
  }
  const types = cols.map((c) => {
    const def = FLOW_COLUMNS[c]!;
    return def.nullable ? `Nullable(${NATIVE_BASE[def.kind]})` : NATIVE_BASE[def.kind];
  });
  // size first, so the block is one allocation
  let size = varintLen(cols.length) + varintLen(n);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const def = FLOW_COLUMNS[c]!;
    size += varintLen(def.name.length) + def.name.length + varintLen(types[i]!.length) + types[i]!.length;
    if (def.nullable) size += n;
    if (def.kind === 'str') {
      const dict = batch.dicts[c]!, codes = batch.codes[c]!, nulls = batch.nulls[c]!;
      for (let r = 0; r < n; r++) {
        if (nulls[r]) { size += 1; continue; }
        const len = dict.byteLength(codes[r]!);
        size += varintLen(len) + len;
      }
    } else {
      size += n * WIDTH[def.kind];
    }
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
    const nulls = batch.nulls[c]!;
    if (def.nullable) { out.set(nulls.subarray(0, n), o); o += n; }
    o = writeValues(batch, c, def.kind, n, out, o);
  }
  if (o !== size) throw new Error(`native encoder size mismatch: ${o} != ${size}`);
  return { columns: cols.map((c) => FLOW_COLUMNS[c]!.name), data: out };
}

function writeValues(batch: FlowBatch, c: number, kind: ColumnKind, n: number, out: Buffer, o: number): number {
  const nulls = batch.nulls[c]!;
  switch (kind) {
    case 'str': {
      const { data, offs, lens } = batch.dicts[c]!.storage();
      const codes = batch.codes[c]!;
      for (let r = 0; r < n; r++) {
        if (nulls[r]) { out[o++] = 0; continue; }
        const code = codes[r]!, len = lens[code]!;
        let from = offs[code]!;
        if (len < 0x80) out[o++] = len; else o = writeVarint(out, o, len);
        // flow log strings are short: a byte loop beats a subarray object per row
        if (len <= 64) { const to = from + len; while (from < to) out[o++] = data[from++]!; }
        else { out.set(data.subarray(from, from + len), o); o += len; }
      }
      return o;
    }
    case 'ip': {
      out.set(batch.ip[c]!.subarray(0, n * 16), o);
      // null slots may hold stale bytes from a rejected row; the engine ignores them under the null map
      return o + n * 16;
    }
    case 'u64': case 'time': {
      const src = batch.num[c] as Float64Array;
      const words = scratchWords(n * 2);
      for (let r = 0; r < n; r++) {
        const v = nulls[r] ? 0 : src[r]!;
        const hi = Math.floor(v / 4294967296);
        words[2 * r] = v - hi * 4294967296;
        words[2 * r + 1] = hi;
      }
      out.set(new Uint8Array(words.buffer, 0, n * 8), o);
      return o + n * 8;
    }
    default: {
      const src = batch.num[c] as Uint8Array | Uint16Array | Uint32Array;
      const bytes = new Uint8Array(src.buffer, src.byteOffset, n * src.BYTES_PER_ELEMENT);
      out.set(bytes, o);
      return o + bytes.length;
    }
  }
}
