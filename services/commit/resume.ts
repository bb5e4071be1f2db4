/**
 * Where a resumed object starts: an object the ledger says is partly stored
 * is parsed again from its start, and what was stored is stepped over here.
 */
import { FlowBatch } from '../core/flow-batch.js';
import { RejectBatch, type RejectCaps } from '../core/rejects.js';
import type { ObjectParser } from '../parse/object-parser.js';
import type { FlowStore, LedgerEntry } from '../store/store.js';
import { storedRejects } from './ledger-reads.js';

/**
 * Re-parses `rows` rows already stored, into a scratch batch, to reach the
 * resume point: past the stored rows, then past the stored rejects that
 * followed the last of them (a batch the reject cap ended stops after a
 * reject). Returns how many rejects it stepped over.
 */
export async function skipStoredRows(store: FlowStore, kind: LedgerEntry['sourceKind'], object: string, parser: ObjectParser, rows: number, caps: RejectCaps): Promise<number> {
  const scratch = new FlowBatch(Math.min(rows, 65536));
  const sink = new RejectBatch(caps);
  let left = rows, seen = 0;
  while (left > 0) {
    const view = left < scratch.capacity ? new FlowBatch(left) : scratch;
    const done = await parser.fill(view, sink);
    left -= view.length;
    seen += sink.length;
    view.reset();
    sink.clear();
    if (done) return seen;
  }
  let tail = (await storedRejects(store, kind, object)) - seen;
  // no row lies between the last stored row and the last stored reject: a batch of one row never takes one
  const none = new FlowBatch(1);
  while (tail > 0) {
    const cap = new RejectBatch({ maxCount: Math.min(tail, caps.maxCount), maxBytes: Number.MAX_SAFE_INTEGER });
    const done = await parser.fill(none, cap);
    tail -= cap.length;
    seen += cap.length;
    if (done || none.length > 0 || cap.length === 0) break; // the object changed under the ledger: resume where it stands
  }
  return seen;
}
