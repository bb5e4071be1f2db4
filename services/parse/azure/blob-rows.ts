/**
 * Rows from a scanned blob (blob-scan.ts): each tuple's bytes go from the
 * document straight into the batch columns, the group's strings are interned
 * from the document's bytes once per group, the record's once per record.
 * Rows, rejects and their positions are those the JSON.parse path writes for
 * the same document; `fill` stops when the batch is full and resumes there.
 */
import type { FlowBatch } from '../../core/flow-batch.js';
import type { RejectBatch } from '../../core/rejects.js';
import type { ScannedBlob, ScannedGroup } from './blob-scan.js';
import { GROUP_COLUMNS, Slot, writeGroup } from './group-columns.js';
import type { RecordMeta } from './layout.js';
import { TUPLE_COLUMNS, type TupleParser } from './tuple.js';

export class BlobRows {
  /** Next group, and next tuple (an index into the blob's tuples). */
  private gi = 0;
  private ti = 0;
  private readonly codes = new Int32Array(GROUP_COLUMNS.length);

  constructor(private readonly source: string, private readonly doc: Buffer, private blob: ScannedBlob) {}

  /** The position of the tuple read last, for a reject raised outside the loop. */
  get lastPosition(): string | number {
    const g = this.blob.groups[this.gi];
    return g ? `${path(g)}.flowTuples[${Math.max(0, this.ti - 1 - g.t0)}]` : 1;
  }

  /** Gives up on the rest of the document. */
  abandon(): void {
    this.blob = { groups: [], tuples: new Int32Array(0), logType: this.blob.logType };
    this.gi = 0;
  }

  /** As AzureJsonParser.fill: true when the document is consumed, false when the batch (or its rejects) is full. */
  fill(batch: FlowBatch, rejects: RejectBatch, tuple: TupleParser): boolean {
    const { groups, tuples } = this.blob;
    const doc = this.doc, codes = this.codes;
    tuple.bind(batch);
    for (const c of GROUP_COLUMNS) batch.use(c);
    for (const c of TUPLE_COLUMNS) batch.use(c);
    // codes do not survive a batch reset: intern again on every call, at the first row (as the other path does)
    let meta: RecordMeta | null = null;
    let g: ScannedGroup | null = null;
    for (; this.gi < groups.length; this.gi++) {
      const grp = groups[this.gi]!;
      const vnet = grp.meta.logType === 'vnet';
      if (this.ti < grp.t0) this.ti = grp.t0;
      const end = grp.t0 + grp.n;
      for (; this.ti < end; this.ti++) {
        const row = batch.length;
        // a batch's rejects are capped too (limits.max_rejects_per_batch): the committer stores them and calls again
        if (row >= batch.capacity || rejects.full) return false;
        const s = tuples[this.ti * 2]!, e = tuples[this.ti * 2 + 1]!;
        if (!tuple.parseBytes(doc, s, e, vnet, batch, row)) {
          batch.clearRow(row, TUPLE_COLUMNS);
          rejects.add(this.source, `${path(grp)}.flowTuples[${this.ti - grp.t0}]`, tuple.reason, tuple.detail, doc.subarray(s, e));
          continue;
        }
        if (grp.meta !== meta) { this.internRecord(batch, grp, meta === null); meta = grp.meta; }
        if (grp !== g) { g = grp; this.internGroup(batch, grp); }
        writeGroup(batch, row, codes);
        batch.length = row + 1;
      }
    }
    return true;
  }

  private internRecord(batch: FlowBatch, g: ScannedGroup, first: boolean): void {
    const m = g.meta, codes = this.codes, dicts = batch.dicts;
    if (first) {
      codes[Slot.Provider] = dicts[GROUP_COLUMNS[Slot.Provider]]!.internString('azure');
      codes[Slot.Source] = dicts[GROUP_COLUMNS[Slot.Source]]!.internString(this.source);
      codes[Slot.Status] = dicts[GROUP_COLUMNS[Slot.Status]]!.internString('OK');
    }
    codes[Slot.LogType] = dicts[GROUP_COLUMNS[Slot.LogType]]!.internString(m.logType);
    codes[Slot.Version] = m.version ?? -1;
    codes[Slot.Account] = m.accountId === null ? -1 : dicts[GROUP_COLUMNS[Slot.Account]]!.internString(m.accountId);
    codes[Slot.Resource] = g.resStart < 0 ? -1 : dicts[GROUP_COLUMNS[Slot.Resource]]!.intern(this.doc, g.resStart, g.resEnd);
  }

  private internGroup(batch: FlowBatch, g: ScannedGroup): void {
    const codes = this.codes, dicts = batch.dicts;
    codes[Slot.Mac] = g.macStart < 0 ? -1 : dicts[GROUP_COLUMNS[Slot.Mac]]!.intern(this.doc, g.macStart, g.macEnd);
    codes[Slot.Rule] = g.ruleStart < 0 ? -1 : dicts[GROUP_COLUMNS[Slot.Rule]]!.intern(this.doc, g.ruleStart, g.ruleEnd);
  }
}

/** The JSON.parse path's position of a group (layout.ts), from its indexes. */
function path(g: ScannedGroup): string {
  return `records[${g.rec}].flows[${g.f}].${g.meta.logType === 'vnet' ? 'flowGroups' : 'flows'}[${g.g}]`;
}
