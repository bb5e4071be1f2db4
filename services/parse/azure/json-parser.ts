/**
 * Azure NSG and VNet flow logs (JSON) into FlowBatch rows, one row per flow
 * tuple. A plain `{"records":[...]}` blob (what Azure writes) is read on its
 * bytes (blob-scan.ts, blob-rows.ts); anything else is walked by GroupCursor
 * (JSON.parse per document or NDJSON line), with the same rows and rejects.
 * Either way each tuple is parsed byte by byte by TupleParser straight into
 * the columns. `fill` can stop at any tuple when the batch is full and resume
 * exactly there.
 */
import type { FlowBatch } from '../../core/flow-batch.js';
import type { RejectBatch } from '../../core/rejects.js';
import { BlobRows } from './blob-rows.js';
import { scanBlob } from './blob-scan.js';
import { GROUP_COLUMNS, writeGroup } from './group-columns.js';
import { GroupCursor, type AzureLogType, type OnBadLayout, type TupleGroup } from './layout.js';
import { TUPLE_COLUMNS, TupleParser } from './tuple.js';

export { looksLikeAzureJson } from './sniff.js';
export type { AzureLogType } from './layout.js';

const EMPTY = Buffer.alloc(0);

export class AzureJsonParser {
  private readonly cursor: GroupCursor;
  private readonly tuple = new TupleParser();
  private group: TupleGroup | null = null;
  /** Index of the next tuple of `group`. */
  private ti = 0;
  /** Dictionary codes of the current group's strings in the batch being filled; -1 = null. */
  private readonly codes = new Int32Array(GROUP_COLUMNS.length);
  private codesStale = true;

  /** The byte path, once the first fill has scanned the document; null when it went to the cursor. */
  private fast: BlobRows | null | undefined;
  private scanned: AzureLogType | null = null;

  /** @param opts.bytes false reads every document through the cursor (tests compare the two paths). */
  constructor(readonly source: string, private doc: Buffer, private readonly opts: { bytes?: boolean } = {}) {
    this.cursor = new GroupCursor(doc);
  }

  /** 'nsg' | 'vnet' once the first flow record is read; null before, or when the document is not Azure. */
  get logType(): AzureLogType | null {
    return this.fast ? this.scanned : this.cursor.logType;
  }

  /** Whether the byte path reads this document (known after the first fill): for tests and benchmarks. */
  get byteScanned(): boolean {
    return !!this.fast;
  }

  /**
   * Writes as many tuples as fit into batch; true when the whole document is
   * consumed, false when the batch filled up (flush it and call again).
   */
  fill(batch: FlowBatch, rejects: RejectBatch): boolean {
    for (;;) {
      try {
        if (this.fast === undefined) this.scan();
        return this.fast ? this.fast.fill(batch, rejects, this.tuple) : this.run(batch, rejects);
      } catch (e) {
        // Not expected for any input; if it happens, lose the rest of this document rather than throw into the pipeline.
        batch.clearRow(batch.length, TUPLE_COLUMNS);
        const at = this.fast ? this.fast.lastPosition : this.group ? `${this.group.path}.flowTuples[${this.ti - 1}]` : 1;
        rejects.add(this.source, at, 'DECODE', `internal error, rest of the object skipped: ${(e as Error)?.message ?? String(e)}`, '');
        this.fast?.abandon();
        this.fast ??= null;
        this.cursor.abandon();
        this.group = null;
      }
    }
  }

  /** Reads the document on bytes when it is a plain blob (blob-scan.ts); anything else goes to the cursor. */
  private scan(): void {
    this.fast = null;
    const blob = this.opts.bytes === false ? null : scanBlob(this.doc);
    if (blob) {
      this.fast = new BlobRows(this.source, this.doc, blob);
      this.scanned = blob.logType;
      this.cursor.abandon();
    }
    this.doc = EMPTY;
  }

  private run(batch: FlowBatch, rejects: RejectBatch): boolean {
    // codes are per batch and do not survive its reset: intern again on every call
    this.tuple.bind(batch);
    this.codesStale = true;
    for (const c of GROUP_COLUMNS) batch.use(c);
    for (const c of TUPLE_COLUMNS) batch.use(c);
    const source = this.source;
    const bad: OnBadLayout = (position, detail, raw) => rejects.add(source, position, 'BAD_JSON', detail, raw);
    const codes = this.codes;

    for (;;) {
      const g = this.group;
      if (g === null || this.ti >= g.tuples.length) {
        this.group = this.cursor.next(bad);
        this.ti = 0;
        this.codesStale = true;
        if (this.group === null) return true;
        continue;
      }
      const row = batch.length;
      // a batch's rejects are capped too (limits.max_rejects_per_batch): the committer stores them and calls again
      if (row >= batch.capacity || rejects.full) return false;
      const i = this.ti++;
      const t = g.tuples[i];
      if (typeof t !== 'string') {
        rejects.add(source, `${g.path}.flowTuples[${i}]`, 'BAD_TUPLE', 'not a string', JSON.stringify(t) ?? String(t));
        continue;
      }
      if (!this.tuple.parse(t, g.meta.logType === 'vnet', batch, row)) {
        batch.clearRow(row, TUPLE_COLUMNS);
        rejects.add(source, `${g.path}.flowTuples[${i}]`, this.tuple.reason, this.tuple.detail, t);
        continue;
      }
      if (this.codesStale) this.internGroup(batch, g);
      writeGroup(batch, row, codes);
      batch.length = row + 1;
    }
  }

  /** Fills `codes` in GROUP_COLUMNS order; the version slot holds the number itself. */
  private internGroup(batch: FlowBatch, g: TupleGroup): void {
    const m = g.meta;
    const values = ['azure', m.logType, m.version, this.source, m.accountId, m.resourceId, g.mac, g.rule, 'OK'];
    for (let k = 0; k < GROUP_COLUMNS.length; k++) {
      const v = values[k];
      this.codes[k] = v === null || v === undefined ? -1 : typeof v === 'number' ? v : batch.dicts[GROUP_COLUMNS[k]!]!.internString(v);
    }
    this.codesStale = false;
  }
}
