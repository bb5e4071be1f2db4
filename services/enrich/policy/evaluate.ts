/**
 * The hot path: every flow of a batch judged against the compiled policy in
 * one pass over typed arrays. Per row: two segment reads (plus two CIDR
 * lookups when the policy has CIDR segments, done a column at a time
 * before the pass), one matrix cell, and only for port/protocol-dependent
 * cells a short rule list. Nothing is allocated per flow; only flagged rows
 * are written out.
 *
 * Rows without both addresses (NODATA / SKIPDATA records) are no flow
 * between two segments and are never flagged.
 */
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import type { FlowBatch } from '../../core/flow-batch.js';
import type { CompiledPolicy } from './compile.js';
import { ALLOW, resolveList } from './matrix.js';
import { ATTEMPT, BREACH, UNKNOWN_KIND, ViolationBatch } from './violations.js';

export { ViolationBatch } from './violations.js';
export { toRows, type PolicyViolationRow, type ToRowsOptions } from './rows.js';

const C_SRC = COLUMN_INDEX.src_addr, C_DST = COLUMN_INDEX.dst_addr;
const C_PROTO = COLUMN_INDEX.protocol, C_PORT = COLUMN_INDEX.dst_port, C_ACTION = COLUMN_INDEX.action;

// CIDR lookup results; one evaluation runs at a time on a thread (it is synchronous), so one pair serves all
let srcCidr = new Int32Array(0), dstCidr = new Int32Array(0);

/**
 * Judges rows [0, batch.length). srcIds / dstIds: the IPAM entry id of each
 * row's source / destination address (-1 when none) in the model the policy
 * was compiled with. `out` (optional) is reused: its length is reset.
 */
export function evaluateBatch(policy: CompiledPolicy, batch: FlowBatch, srcIds: Int32Array, dstIds: Int32Array, out?: ViolationBatch): ViolationBatch {
  const v = out ?? new ViolationBatch(policy.mode === 'observe');
  v.length = 0;
  const n = batch.length;
  if (srcIds.length < n || dstIds.length < n) throw new RangeError(`evaluateBatch: ${n} rows but ${srcIds.length} source and ${dstIds.length} destination ids`);
  if (n === 0 || !batch.present[C_SRC] || !batch.present[C_DST]) return v;
  const sNull = batch.nulls[C_SRC]!, dNull = batch.nulls[C_DST]!;
  const table = policy.cidr.table;
  if (table) {
    if (srcCidr.length < n) { srcCidr = new Int32Array(batch.capacity); dstCidr = new Int32Array(batch.capacity); }
    table.lookupColumn(batch.ip[C_SRC]!, sNull, n, srcCidr);
    table.lookupColumn(batch.ip[C_DST]!, dNull, n, dstCidr);
  }
  const sc = srcCidr, dc = dstCidr;
  const entrySeg = policy.entrySegment, cidrSeg = policy.cidr.segment;
  const m = policy.matrix, cells = m.cells, size = m.size;
  const proto = batch.present[C_PROTO] ? batch.num[C_PROTO]! : null, protoNull = batch.nulls[C_PROTO]!;
  const port = batch.present[C_PORT] ? batch.num[C_PORT]! : null, portNull = batch.nulls[C_PORT]!;
  for (let r = 0; r < n; r++) {
    if ((sNull[r]! | dNull[r]!) !== 0) continue;
    let s = entrySeg[srcIds[r]! + 1]!, d = entrySeg[dstIds[r]! + 1]!;
    if (table) {
      const cs = cidrSeg[sc[r]! + 1]!, cd = cidrSeg[dc[r]! + 1]!;
      if (cs < s) s = cs;
      if (cd < d) d = cd;
    }
    let o = cells[s * size + d]!;
    if (o < 0) {
      o = resolveList(m, ~o,
        proto === null || protoNull[r] === 1 ? -1 : proto[r]!,
        port === null || portNull[r] === 1 ? -1 : port[r]!);
    }
    const decision = o & 3;
    if (decision === ALLOW) continue;
    v.push(r, s, d, decision, (o >> 2) - 1, actionKind(batch, r));
  }
  return v;
}

/** Only for flagged rows: the dictionary decodes each distinct value once and caches it. */
function actionKind(batch: FlowBatch, r: number): number {
  if (batch.isNull(C_ACTION, r)) return UNKNOWN_KIND;
  const a = batch.dicts[C_ACTION]!.get(batch.codes[C_ACTION]![r]!);
  return a === 'ACCEPT' ? BREACH : a === 'REJECT' ? ATTEMPT : UNKNOWN_KIND;
}
