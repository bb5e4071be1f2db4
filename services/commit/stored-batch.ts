/** What the committer reports of each stored batch and of its run: flows, rejects by reason, time, freshness. */
import type { FlowBatch } from '../core/flow-batch.js';
import type { RejectReason } from '../core/rejects.js';
import { COLUMN_INDEX } from '../../schemas/flow.js';

/** One batch as stored: its flows, its rejects by reason, the insert's duration and its newest flow (freshness). */
export interface StoredBatch {
  rows: number;
  rejected: number;
  rejectsByReason: Partial<Record<RejectReason, number>>;
  seconds: number;
  newestFlowAt?: Date;
}

export interface BatchStats {
  batches: number; rows: number; rejected: number; objects: number; insertMs: number;
  /** start_time of the earliest and the latest flow stored (epoch ms): the window a summary of the run reads. Infinity and -Infinity while none. */
  firstStart: number; lastStart: number;
}

export const emptyStats = (): BatchStats => ({ batches: 0, rows: 0, rejected: 0, objects: 0, insertMs: 0, firstStart: Infinity, lastStart: -Infinity });

const END_TIME = COLUMN_INDEX.end_time;
const START_TIME = COLUMN_INDEX.start_time;

/** The earliest and latest start_time in a batch (epoch ms; null when none): one pass over one column. */
export function startSpan(b: FlowBatch): { first: number; last: number } | null {
  if (!b.present[START_TIME]) return null;
  const t = b.num[START_TIME]!, nulls = b.nulls[START_TIME]!;
  let first = Infinity, last = -Infinity;
  for (let i = 0; i < b.length; i++) {
    if (nulls[i] !== 0) continue;
    const v = t[i]!;
    if (v < first) first = v;
    if (v > last) last = v;
  }
  return first <= last ? { first, last } : null;
}

/** The latest end_time in a batch (epoch ms; 0 when none): one pass over one column, for the freshness metric. */
export function newestEnd(b: FlowBatch): number {
  if (!b.present[END_TIME]) return 0;
  const t = b.num[END_TIME]!, nulls = b.nulls[END_TIME]!;
  let max = 0;
  for (let i = 0; i < b.length; i++) if (nulls[i] === 0 && t[i]! > max) max = t[i]!;
  return max;
}

export function byReason(items: readonly { reason: RejectReason }[]): StoredBatch['rejectsByReason'] {
  const n: StoredBatch['rejectsByReason'] = {};
  for (const r of items) n[r.reason] = (n[r.reason] ?? 0) + 1;
  return n;
}
