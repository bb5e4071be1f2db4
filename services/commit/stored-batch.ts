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

export interface BatchStats { batches: number; rows: number; rejected: number; objects: number; insertMs: number }

const END_TIME = COLUMN_INDEX.end_time;

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
