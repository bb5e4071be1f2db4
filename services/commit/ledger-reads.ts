/**
 * Read-only questions to the ledger, beside the committer that writes it:
 * what a run skips, a round's replay decides, and a resume steps over.
 */
import { chTime } from '../store/ch-time.js';
import type { FlowStore, LedgerEntry, ObjectProgress } from '../store/store.js';
import type { IntentSegment, PendingBatch } from './write-ahead.js';

type Kind = LedgerEntry['sourceKind'];

/** Where every object of a kind stands, when the ledger holds at most `max` of them; null when it holds more. */
export async function wholeLedgerIfFew(store: FlowStore, kind: Kind, max: number): Promise<Map<string, ObjectProgress> | null> {
  const [r] = await store.queryRows<{ n: string | number }>(
    'SELECT count() AS n FROM (SELECT DISTINCT object FROM ingest_ledger WHERE source_kind = {k:String} LIMIT {max:UInt64})', { k: kind, max: max + 1 });
  return Number(r?.n ?? 0) > max ? null : store.ledgerState(kind);
}

/** The named objects of a kind whose ledger said complete before `at`: what a round whose intent was written at `at` skipped. */
export async function completedBefore(store: FlowStore, kind: Kind, at: Date, objects: readonly string[]): Promise<Map<string, ObjectProgress>> {
  if (objects.length === 0) return new Map();
  const rows = await store.queryRows<{ object: string; identity: string }>(
    `SELECT object, argMax(identity, ingested_at) AS identity FROM ingest_ledger
      WHERE source_kind = {k:String} AND object IN JSONExtract({objects:String}, 'Array(String)') AND complete = 1
        AND ingested_at < {at:DateTime64(3, 'UTC')} GROUP BY object`, { k: kind, at: chTime(at), objects: JSON.stringify(objects) });
  return new Map(rows.map((r) => [r.object, { identity: r.identity, complete: true, storedRows: 0 }]));
}

/** Rejects the ledger counts as stored for an object's latest version (what a resume skips). */
export async function storedRejects(store: FlowStore, kind: Kind, object: string): Promise<number> {
  const [r] = await store.queryRows<{ n: string | number }>(
    `SELECT sum(rejected) AS n FROM ingest_ledger WHERE source_kind = {k:String} AND object = {o:String} AND state = 'stored'
       AND identity = (SELECT argMax(identity, ingested_at) FROM ingest_ledger WHERE source_kind = {k:String} AND object = {o:String})`,
    { k: kind, o: object });
  return Number(r?.n ?? 0);
}

/**
 * A stream's latest round (SQS or S3 poll rounds, numbered in order): its number, and its
 * intent's members when no stored mark follows it (it is to be replayed). A
 * stream's rounds are one primary-key range, read backwards: one row, however
 * long its history.
 */
export async function latestRound(store: FlowStore, kind: Kind, stream: string): Promise<{ n: number; pending: string | null } | null> {
  const [r] = await store.queryRows<{ n: string | number; state: string; members: string }>(
    `SELECT first_position AS n, state, identity AS members FROM ingest_ledger WHERE source_kind = {k:String} AND object = {o:String}
      ORDER BY first_position DESC, state = 'stored' DESC LIMIT 1`, { k: kind, o: stream });
  if (!r) return null;
  return { n: Number(r.n), pending: r.state === 'intent' ? r.members : null };
}

/**
 * Streams whose latest round is pending (an intent, no stored mark): SQS
 * queues and S3 polls on the embedded store (pipeline/shared-rounds.ts). Only
 * a source of that stream replays one; one that no configured source owns any
 * more waits, and another path to its objects may store the batch that was in
 * flight a second time.
 */
export async function pendingRounds(store: FlowStore): Promise<string[]> {
  const rows = await store.queryRows<{ object: string }>(
    `SELECT object FROM ingest_ledger WHERE source_kind = 'sqs' OR (source_kind = 's3' AND startsWith(object, 's3-poll://'))
      GROUP BY source_kind, object HAVING argMax(state, (first_position, state = 'stored')) = 'intent' ORDER BY object`);
  return rows.map((r) => r.object);
}

/** A listing's write-ahead (commit/write-ahead.ts): its next batch number, and the batches left pending, oldest first. */
export interface PendingBatches { next: number; pending: PendingBatch[] }

/**
 * Where a listing's write-ahead stands, read from its latest stored mark on
 * (one primary-key range). Batches are marked stored in order and a batch
 * stored again keeps its number, so every intent after the latest mark is
 * pending, at most one per insert the crashed run had in flight.
 */
export async function pendingBatches(store: FlowStore, kind: Kind, stream: string): Promise<PendingBatches> {
  const rows = await store.queryRows<{ n: string | number; state: string; segments: string }>(
    `SELECT first_position AS n, state, identity AS segments FROM ingest_ledger WHERE source_kind = {k:String} AND object = {o:String}
      AND first_position >= (SELECT max(first_position) FROM ingest_ledger WHERE source_kind = {k:String} AND object = {o:String} AND state = 'stored')
      ORDER BY first_position DESC, state = 'stored' DESC`, { k: kind, o: stream });
  const pending: PendingBatches['pending'] = [];
  for (const r of rows) {
    if (r.state === 'stored') break;
    pending.unshift({ n: Number(r.n), segments: JSON.parse(r.segments) as IntentSegment[] });
  }
  return { next: rows.length ? Number(rows[0]!.n) + 1 : 0, pending };
}
