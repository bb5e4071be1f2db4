/**
 * What a batch holds: segments of objects (object, identity, row range), and
 * the token they make. The token is the batch's insert_deduplication_token,
 * and the ledger records the segments only after the rows are stored, so a
 * replay that holds the same segments is dropped by the engine
 * (commit/committer.ts).
 */
import { createHash } from 'node:crypto';
import type { LedgerEntry } from '../store/store.js';
import type { IntentSegment } from './write-ahead.js';

export interface SourceObject {
  name: string;
  identity: string;
  /** Ledger kind for this object (default: the committer's). */
  kind?: LedgerEntry['sourceKind'];
  /** Part of a round (a Kafka message): the round's ledger row records its progress, not one per object. */
  noLedger?: boolean;
}

/**
 * `rejFirst`: the object's rejects before this segment (reject-only batches at one row position differ by it).
 * `cutShort`: the source failed inside it (its rows end where it failed: a replay cannot find that row again).
 */
export interface Segment { obj: SourceObject; first: number; last: number; rejFirst: number; rejected: number; complete: boolean; cutShort?: true }

export function batchToken(segments: readonly Segment[]): string {
  const h = createHash('sha256');
  // rejFirst only when past the object's first rejects: tokens of batches that follow no reject-capped batch stay as they were
  for (const s of segments) h.update(`${s.obj.name}\0${s.obj.identity}\0${s.first}\0${s.last}${s.rejFirst > 0 ? `\0r${s.rejFirst}` : ''}\n`);
  return h.digest('hex').slice(0, 32);
}

/** A segment as a write-ahead intent lists it. */
export const intentSegment = (s: Segment): IntentSegment => [s.obj.name, s.obj.identity, s.first, s.last, s.cutShort ? 2 : s.complete ? 1 : 0];
