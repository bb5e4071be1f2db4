/** Runs a parser over a whole document the way a caller does: fill, flush, fill again. */
import type { FlowRecord } from '../../../../schemas/flow.js';
import { FlowBatch } from '../../../core/flow-batch.js';
import { RejectBatch, type RejectedRecord } from '../../../core/rejects.js';
import { rowToRecord } from '../../../core/record.js';
import { AzureJsonParser, type AzureLogType } from '../json-parser.js';

export interface ParseResult {
  rows: FlowRecord[];
  rejects: RejectedRecord[];
  /** fill() calls it took. */
  fills: number;
  logType: AzureLogType | null;
  /** The document was read on its bytes (blob-scan.ts), not through JSON.parse. */
  byteScanned: boolean;
}

/** opts.bytes false: the JSON.parse path even for a document the byte path reads. */
export function parseAll(doc: Buffer | string, opts: { capacity?: number; source?: string; bytes?: boolean } = {}): ParseResult {
  const parser = new AzureJsonParser(opts.source ?? 'test', typeof doc === 'string' ? Buffer.from(doc, 'utf8') : doc, { bytes: opts.bytes });
  const batch = new FlowBatch(opts.capacity ?? 4096);
  const rejects = new RejectBatch();
  const rows: FlowRecord[] = [];
  let fills = 0;
  for (;;) {
    const done = parser.fill(batch, rejects);
    fills++;
    for (let r = 0; r < batch.length; r++) rows.push(rowToRecord(batch, r));
    if (!done && batch.length < batch.capacity) throw new Error('fill returned false with room left in the batch');
    batch.reset();
    if (done) break;
    if (fills > 1_000_000) throw new Error('fill never finished');
  }
  return { rows, rejects: [...rejects.items], fills, logType: parser.logType, byteScanned: parser.byteScanned };
}

export const toNdjson = (xs: readonly unknown[]): string => xs.map((x) => `${JSON.stringify(x)}\n`).join('');
export const fromNdjson = (s: string): unknown[] => s.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
