/**
 * A FlowBatch as an Arrow IPC stream, for the server store's insert-format
 * comparison (npm run bench): dictionary-encoded strings, FixedSizeBinary(16)
 * addresses, millisecond timestamps, validity bitmaps from the null maps.
 */
import {
  Dictionary, FixedSizeBinary, Int32, makeData, vectorFromArray, RecordBatch, Schema, Field, Struct, TimestampMillisecond,
  Uint16, Uint64, Uint8, Utf8, tableToIPC, Table, type DataType, type Data,
} from 'apache-arrow';
import { FLOW_COLUMNS } from '../../schemas/flow.js';
import type { FlowBatch } from '../core/flow-batch.js';

// makeData's overloads are keyed on the concrete type; one loose signature keeps this file readable
const mk = makeData as unknown as (props: Record<string, unknown>) => Data;

function validity(nulls: Uint8Array, n: number): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let r = 0; r < n; r++) { if (nulls[r]) nullCount++; else bitmap[r >> 3]! |= 1 << (r & 7); }
  return { bitmap, nullCount };
}

export function encodeArrow(batch: FlowBatch): { columns: string[]; data: Buffer } {
  const n = batch.length;
  const fields: Field[] = [];
  const children: Data[] = [];
  for (let c = 0; c < FLOW_COLUMNS.length; c++) {
    if (!batch.present[c]) continue;
    const def = FLOW_COLUMNS[c]!;
    const { bitmap, nullCount } = validity(batch.nulls[c]!, n);
    let type: DataType;
    let data: Data;
    switch (def.kind) {
      case 'u8': type = new Uint8(); data = mk({ type, length: n, nullCount, nullBitmap: bitmap, data: (batch.num[c] as Uint8Array).subarray(0, n) }); break;
      case 'u16': type = new Uint16(); data = mk({ type, length: n, nullCount, nullBitmap: bitmap, data: (batch.num[c] as Uint16Array).subarray(0, n) }); break;
      case 'u64': case 'time': {
        const src = batch.num[c] as Float64Array;
        const words = new Uint32Array(n * 2);
        for (let r = 0; r < n; r++) { const v = src[r]!; const hi = Math.floor(v / 4294967296); words[2 * r] = v - hi * 4294967296; words[2 * r + 1] = hi; }
        type = def.kind === 'u64' ? new Uint64() : new TimestampMillisecond('UTC');
        data = mk({ type, length: n, nullCount, nullBitmap: bitmap, data: new BigUint64Array(words.buffer) });
        break;
      }
      case 'ip': type = new FixedSizeBinary(16); data = mk({ type, length: n, nullCount, nullBitmap: bitmap, data: batch.ip[c]!.subarray(0, n * 16) }); break;
      default: {
        const dict = batch.dicts[c]!;
        const values = Array.from({ length: dict.size }, (_, i) => dict.get(i));
        const dictionary = vectorFromArray(values.length ? values : [''], new Utf8());
        type = new Dictionary(new Utf8(), new Int32(), c);
        data = mk({ type, length: n, nullCount, nullBitmap: bitmap, data: new Int32Array(batch.codes[c]!.buffer, 0, n), dictionary });
      }
    }
    fields.push(new Field(def.name, type, def.nullable));
    children.push(data);
  }
  const schema = new Schema(fields);
  const rb = new RecordBatch(schema, mk({ type: new Struct(fields), length: n, nullCount: 0, children }) as unknown as Data<Struct>);
  return { columns: fields.map((f) => f.name), data: Buffer.from(tableToIPC(new Table([rb]), 'stream')) };
}
