/** Test helper: parse a whole buffer the way `flowlog parse` does, into records and rejects. */
import type { FlowRecord } from '../../../../schemas/flow.js';
import { FlowBatch } from '../../../core/flow-batch.js';
import { rowToRecord } from '../../../core/record.js';
import { RejectBatch, type RejectedRecord } from '../../../core/rejects.js';
import type { FormatPlan } from '../log-format.js';
import { openObjectParser } from '../../object-parser.js';

export function parseAll(data: Buffer, opts: { source?: string; logFormat?: FormatPlan; capacity?: number } = {}) {
  const batch = new FlowBatch(opts.capacity ?? 4096);
  const rejects = new RejectBatch();
  const records: FlowRecord[] = [];
  const rejected: RejectedRecord[] = [];
  const parser = openObjectParser(opts.source ?? 'test', data, opts.logFormat ? { logFormat: opts.logFormat } : {});
  for (let done = false; !done;) {
    done = parser.fill(batch, rejects);
    for (let r = 0; r < batch.length; r++) records.push(rowToRecord(batch, r));
    rejected.push(...rejects.items);
    batch.reset();
    rejects.clear();
  }
  return { records, rejected, warnings: [...(parser.warnings ?? [])] };
}
