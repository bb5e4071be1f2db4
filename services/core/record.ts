/**
 * One row of a FlowBatch as a plain record: for `flowlog parse` output and
 * tests, never for the hot path.
 */
import { FLOW_COLUMNS, type FlowRecord } from '../../schemas/flow.js';
import type { FlowBatch } from './flow-batch.js';
import { formatIp } from './ip.js';

export function rowToRecord(batch: FlowBatch, row: number): FlowRecord {
  const out: Record<string, string | number | null> = {};
  for (let c = 0; c < FLOW_COLUMNS.length; c++) {
    const def = FLOW_COLUMNS[c]!;
    if (batch.isNull(c, row)) { out[def.name] = null; continue; }
    switch (def.kind) {
      case 'str': out[def.name] = batch.dicts[c]!.get(batch.codes[c]![row]!); break;
      case 'ip': out[def.name] = formatIp(batch.ip[c]!, row * 16); break;
      case 'time': out[def.name] = new Date(batch.num[c]![row]!).toISOString(); break;
      default: out[def.name] = batch.num[c]![row]!;
    }
  }
  return out as FlowRecord;
}
