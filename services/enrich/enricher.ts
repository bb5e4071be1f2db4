/**
 * The hot path: a whole batch enriched column by column. Both address columns
 * go through the compiled prefix table once (an entry id per row); each
 * attribute column is then filled from per-entry values, interning each
 * distinct value once per batch, so there is no object and no string per row.
 */
import { COLUMN_INDEX, type FlowColumnName } from '../../schemas/flow.js';
import type { FlowBatch } from '../core/flow-batch.js';
import type { IpamModel } from './model.js';
import { PrefixTable } from './lookup/prefix-table.js';

export const STRING_ATTRS = ['vpc', 'subnet', 'env', 'segment', 'owner', 'service', 'class'] as const;

/**
 * What the hot path needs, in flat arrays: built from a model (in a worker on
 * reload) and posted to the ingest thread without copying the big parts.
 */
export interface EnricherData {
  version: string;
  entries: number;
  table: ReturnType<PrefixTable['toTransferable']>;
  /** Per attribute: each entry's index into `strings[a]`, -1 when unset. */
  codes: Int32Array[];
  strings: string[][];
  internal: Uint8Array;
  isPublic: Uint8Array;
}

export function enricherData(model: IpamModel): EnricherData {
  const strings = STRING_ATTRS.map(() => [] as string[]);
  const codes = STRING_ATTRS.map((a, i) => {
    const seen = new Map<string, number>();
    return Int32Array.from(model.entries, (e) => {
      const v = e.attrs[a];
      if (v === undefined || v === '') return -1;
      let k = seen.get(v);
      if (k === undefined) { k = strings[i]!.length; strings[i]!.push(v); seen.set(v, k); }
      return k;
    });
  });
  return {
    version: model.version, entries: model.entries.length, table: model.table.toTransferable(), codes, strings,
    internal: Uint8Array.from(model.entries, (e) => (e.internal ? 1 : 0)),
    isPublic: Uint8Array.from(model.entries, (e) => (e.attrs.class === 'public' ? 1 : 0)),
  };
}

/** The ArrayBuffers of an EnricherData, for a postMessage transfer list. */
export function transferList(d: EnricherData): ArrayBuffer[] {
  return [...d.table.buffers, ...d.codes.map((c) => c.buffer as ArrayBuffer), d.internal.buffer as ArrayBuffer, d.isPublic.buffer as ArrayBuffer];
}
const SIDES = [
  { addr: COLUMN_INDEX.src_addr, prefix: 'src' },
  { addr: COLUMN_INDEX.dst_addr, prefix: 'dst' },
] as const;
const C_EGRESS = COLUMN_INDEX.egress;

export class Enricher {
  readonly version: string;
  readonly entries: number;
  private readonly table: PrefixTable;
  private readonly codes: Int32Array[];
  private readonly strings: string[][];
  private readonly internal: Uint8Array;
  private readonly isPublic: Uint8Array;
  // per-batch memo of each distinct value's dictionary code, invalidated by bumping `gen`
  private readonly stamp: Uint32Array;
  private readonly dictCode: Uint32Array;
  private gen = 0;
  private dstIds = new Int32Array(0);
  private srcIds = new Int32Array(0);

  constructor(d: EnricherData) {
    this.version = d.version;
    this.entries = d.entries;
    this.table = PrefixTable.fromTransferable(d.table);
    this.codes = d.codes;
    this.strings = d.strings;
    this.internal = d.internal;
    this.isPublic = d.isPublic;
    const most = Math.max(1, ...d.strings.map((s) => s.length));
    this.stamp = new Uint32Array(most);
    this.dictCode = new Uint32Array(most);
  }

  static fromModel(model: IpamModel): Enricher { return new Enricher(enricherData(model)); }

  /** The IPAM entry ids of each row's addresses in the batch last applied (-1: none), for the policy stage. */
  lastIds(): { src: Int32Array; dst: Int32Array } { return { src: this.srcIds, dst: this.dstIds }; }

  /** Fills the src_*, dst_* and egress columns of rows [0, batch.length). */
  apply(batch: FlowBatch): void {
    const n = batch.length;
    if (this.dstIds.length < n) { this.dstIds = new Int32Array(batch.capacity); this.srcIds = new Int32Array(batch.capacity); }
    for (const side of SIDES) {
      const ids = side.prefix === 'src' ? this.srcIds : this.dstIds;
      if (batch.present[side.addr]) this.table.lookupColumn(batch.ip[side.addr]!, batch.nulls[side.addr]!, n, ids);
      else ids.fill(-1, 0, n);
      for (let a = 0; a < STRING_ATTRS.length; a++) this.fillString(batch, COLUMN_INDEX[`${side.prefix}_${STRING_ATTRS[a]!}` as FlowColumnName], a, ids, n);
      this.fillFlag(batch, COLUMN_INDEX[`${side.prefix}_is_internal`], this.internal, ids, n);
    }
    // egress: an internal source to a public destination that is not ours
    batch.use(C_EGRESS);
    const out = batch.num[C_EGRESS]!, nulls = batch.nulls[C_EGRESS]!, s = this.srcIds, d = this.dstIds;
    for (let r = 0; r < n; r++) {
      const si = s[r]!, di = d[r]!;
      if (si < 0 || di < 0) continue;
      out[r] = this.internal[si]! === 1 && this.isPublic[di]! === 1 && this.internal[di]! === 0 ? 1 : 0;
      nulls[r] = 0;
    }
  }

  private fillString(batch: FlowBatch, c: number, a: number, ids: Int32Array, n: number): void {
    batch.use(c);
    const dict = batch.dicts[c]!, out = batch.codes[c]!, nulls = batch.nulls[c]!;
    const byEntry = this.codes[a]!, strings = this.strings[a]!, stamp = this.stamp, dictCode = this.dictCode;
    const gen = ++this.gen;
    for (let r = 0; r < n; r++) {
      const id = ids[r]!;
      if (id < 0) continue;
      const v = byEntry[id]!;
      if (v < 0) continue;
      if (stamp[v] !== gen) { stamp[v] = gen; dictCode[v] = dict.internString(strings[v]!); }
      out[r] = dictCode[v]!;
      nulls[r] = 0;
    }
  }

  private fillFlag(batch: FlowBatch, c: number, flags: Uint8Array, ids: Int32Array, n: number): void {
    batch.use(c);
    const out = batch.num[c]!, nulls = batch.nulls[c]!;
    for (let r = 0; r < n; r++) {
      const id = ids[r]!;
      if (id < 0) continue;
      out[r] = flags[id]!;
      nulls[r] = 0;
    }
  }
}
