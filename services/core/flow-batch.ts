/**
 * A batch of flows held as columns: typed arrays for numbers and times, 16-byte
 * slots for addresses, dictionary codes for strings, and a null map per column.
 * Parsers write straight into these arrays; the store serializes them without
 * ever building an object per record.
 */
import { FLOW_COLUMNS, type ColumnKind } from '../../schemas/flow.js';
import { ByteDict } from './byte-dict.js';

export type NumArray = Uint8Array | Uint16Array | Uint32Array | Float64Array;

function numArray(kind: ColumnKind, n: number): NumArray | null {
  switch (kind) {
    case 'u8': return new Uint8Array(n);
    case 'u16': return new Uint16Array(n);
    case 'u32': return new Uint32Array(n);
    // u64 counters and times (epoch ms) in Float64: exact below 2^53, which no
    // flow counter or timestamp reaches, and no BigInt on the hot path.
    case 'u64': case 'time': return new Float64Array(n);
    default: return null;
  }
}

export class FlowBatch {
  length = 0;
  readonly nulls: Uint8Array[];
  readonly num: (NumArray | null)[];
  readonly ip: (Uint8Array | null)[];
  readonly codes: (Uint32Array | null)[];
  readonly dicts: (ByteDict | null)[];
  /**
   * Columns in use in this batch (set through use()); the rest are all null and
   * their arrays are never touched, so a v2-only stream keeps ~17 of ~70
   * columns resident instead of all of them.
   */
  readonly present: Uint8Array;

  constructor(readonly capacity = 65536) {
    // zeroed pages cost nothing until written; use() fills a column's null map when it is first needed
    this.nulls = FLOW_COLUMNS.map(() => new Uint8Array(capacity));
    this.num = FLOW_COLUMNS.map((c) => numArray(c.kind, capacity));
    this.ip = FLOW_COLUMNS.map((c) => (c.kind === 'ip' ? new Uint8Array(capacity * 16) : null));
    this.codes = FLOW_COLUMNS.map((c) => (c.kind === 'str' ? new Uint32Array(capacity) : null));
    this.dicts = FLOW_COLUMNS.map((c) => (c.kind === 'str' ? new ByteDict() : null));
    this.present = new Uint8Array(FLOW_COLUMNS.length);
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** Declares that this batch may write column c (all its rows start null). */
  use(c: number): void {
    if (this.present[c]) return;
    this.nulls[c]!.fill(1);
    this.present[c] = 1;
  }

  isNull(c: number, row: number): boolean {
    return this.present[c] === 0 || this.nulls[c]![row] === 1;
  }

  /** Marks row `row` null in the given columns (used to undo a rejected, half-written row). */
  clearRow(row: number, cols: ArrayLike<number>): void {
    for (let i = 0; i < cols.length; i++) this.nulls[cols[i]!]![row] = 1;
  }

  reset(): void {
    for (let c = 0; c < FLOW_COLUMNS.length; c++) {
      if (this.present[c]) this.dicts[c]?.clear();
    }
    this.present.fill(0);
    this.length = 0;
  }

  /** Sets a number (slow path: tests and constants, not per-record parsing). */
  setNumber(c: number, row: number, v: number | null): void {
    this.use(c);
    if (v === null) { this.nulls[c]![row] = 1; return; }
    this.num[c]![row] = v;
    this.nulls[c]![row] = 0;
  }
}
