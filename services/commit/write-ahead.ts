/**
 * A listing's write-ahead (`flowlog ingest`, pipeline/ingest.ts): before its
 * rows, each batch's segments are an intent row under the listing's name,
 * numbered in order, and its ledger rows carry its stored mark. A restart
 * stores the batches left pending again (pipeline/replay-plan.ts); each keeps
 * its number, and is checked against its intent as it is flushed.
 */
import type { LedgerEntry } from '../store/store.js';

/** One segment as an intent lists it: object, identity, first row, end row, and 1 when it ended the object (2: the source failed inside it). */
export type IntentSegment = [name: string, identity: string, first: number, last: number, ended: 0 | 1 | 2];
/** A batch left pending: its number and its segments. */
export interface PendingBatch { n: number; segments: readonly IntentSegment[] }
/** The last segment of a batch stored again, in the object it ends in. */
export interface Cut { first: number; last: number }
/** `replay`: the batches left pending, which the run's first flushes store again. */
export interface WriteAheadOptions { stream: string; next: number; replay?: readonly PendingBatch[] }

/** Batch `n` of a listing's write-ahead: its intent (identity: its segments) or its stored mark. */
const aheadEntry = (kind: LedgerEntry['sourceKind'], stream: string, n: number, state: 'intent' | 'stored', identity = ''): LedgerEntry => ({
  sourceKind: kind, object: stream, identity, batchId: `${stream}#${n}`, firstPosition: n, lastPosition: n + 1, rows: 0, rejected: 0, complete: false, state,
});

/** A batch stored again as its intent lists it: the same objects, versions and rows (how each segment ended aside). */
const sameSegments = (a: readonly IntentSegment[], b: readonly IntentSegment[]): boolean =>
  a.length === b.length && a.every((x, i) => x[0] === b[i]![0] && x[1] === b[i]![1] && x[2] === b[i]![2] && x[3] === b[i]![3]);

/** One run's numbering under a listing's write-ahead. */
export class WriteAhead {
  private next: number;
  private replaying: PendingBatch[];
  /** Batches stored again that did not come out as their intents say (batch.rows or limits changed since): the run's warnings. */
  readonly mismatches: string[] = [];

  constructor(private readonly kind: LedgerEntry['sourceKind'], private readonly o: WriteAheadOptions) {
    this.next = o.next;
    this.replaying = [...(o.replay ?? [])];
  }

  /**
   * The next batch's intent, durable before its rows (null for a batch stored
   * again: it has one), and the stored marks its ledger rows carry.
   */
  entries(segments: IntentSegment[]): { intent: LedgerEntry | null; marks: LedgerEntry[] } {
    const again = this.replaying.shift();
    if (again && sameSegments(again.segments, segments)) return { intent: null, marks: [this.closing(again.n)] };
    const marks: LedgerEntry[] = [];
    if (again) {
      // cut elsewhere than it was (another batch.rows or limits, an object now quarantined): the replay stops here, its
      // batches are closed, and this one is a new batch; rows of theirs that had landed may now be stored twice
      marks.push(this.closing([again, ...this.replaying].at(-1)!.n));
      this.replaying = [];
      this.mismatches.push(`batch ${again.n} of ${this.o.stream} was left in flight by an earlier run and came out cut differently this time (batch.rows or limits changed since?): its rows may be stored twice`);
    }
    const n = this.next++;
    return { intent: aheadEntry(this.kind, this.o.stream, n, 'intent', JSON.stringify(segments)), marks: [...marks, this.closing(n)] };
  }

  /** The stored mark of batch `n`: the batches up to it are no longer pending. */
  closing(n: number): LedgerEntry {
    return aheadEntry(this.kind, this.o.stream, n, 'stored');
  }
}
