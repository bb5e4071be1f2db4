/**
 * The one write protocol: batch -> dedup token -> flows + quarantine +
 * violations -> ledger (or a round's intent and end, or a source's cursor),
 * in that order. Sources and the pipeline call it; nothing else writes the
 * ledger (internals: docs/internals.md).
 *
 * Parsed rows are collected into a FlowBatch and full batches go to the store
 * with one insert in flight: the next batch is parsed while the engine writes
 * the previous one (two cores, two stages). A store with cores of its own (a
 * ClickHouse server) takes up to store.maxInflightInserts batches at once;
 * their ledger rows are still written in batch order, each after its rows.
 *
 * Exactly-once: each batch is described by the object segments it holds
 * (object, identity, row range). That description, hashed, is the batch's
 * insert_deduplication_token, and the ledger records it only after the rows are
 * stored. A restart resumes every object after its last stored row, so the
 * first batch after a crash is the same batch that was in flight; if the engine
 * had already stored it, the token makes the engine drop the replay. That holds
 * only if the replay cuts its batches where the first attempt did: a batch that
 * holds several objects depends on the listing, so where another instance may
 * replay from its own listing (a poll's lease passing), each object's rows go
 * into batches of their own (pipeline/ingest.ts, sharedWriterCuts). Where one
 * writer's listing may change before its restart (`flowlog ingest`), each batch
 * writes its segments ahead instead (writeAhead), and the restart stores the
 * batches left pending again from them, exactly, before anything else.
 *
 * Message sources (Kafka, SQS on the embedded store) commit in rounds: the
 * round's exact position range (and, for SQS, its objects) is written as an
 * intent before any of it is stored and marked stored after, so a restart
 * replays a pending round with the same batches and tokens.
 *
 * Rejects are bounded too: a batch is stored when its rejects reach
 * limits.max_rejects_per_batch or max_reject_bytes_per_batch, even with few
 * flows, so an object of junk is quarantined in pieces (each with its batch's
 * token, before its ledger row). Such a batch can end after rejects that follow
 * its last row; a resume skips those too (the ledger counts each segment's rejects).
 */
import { FlowBatch } from '../core/flow-batch.js';
import { DEFAULT_REJECT_CAPS, RejectBatch, quarantineReason, type RejectCaps, type RejectedRecord } from '../core/rejects.js';
import { DEFAULT_BATCH_ROWS, type Limits } from '../../schemas/config.js';
import type { ObjectParser } from '../parse/object-parser.js';
import type { FlowStore, LedgerEntry, ObjectProgress, PreparedFlows } from '../store/store.js';
import { skipStoredRows } from './resume.js';
import { WriteAhead, type Cut, type WriteAheadOptions } from './write-ahead.js';
import { batchToken, intentSegment, type Segment, type SourceObject } from './segments.js';
import { byReason, emptyStats, newestEnd, startSpan, type BatchStats, type StoredBatch } from './stored-batch.js';

export { batchToken, type SourceObject } from './segments.js';
export type { BatchStats, StoredBatch } from './stored-batch.js';

/**
 * Rows per insert when the caller names none: batch.rows' own default, which a
 * ClickHouse server store takes (the embedded store takes its memory profile's,
 * schemas/config.ts MEMORY_PROFILES).
 */
export const DEFAULT_CAPACITY = DEFAULT_BATCH_ROWS;

/**
 * A message source's unit of commit: positions [first, end) of one stream (a
 * topic partition, or an SQS queue's rounds numbered in order). `members`: what
 * a replay cannot read back from its stream (an SQS round's objects), written
 * in the intent's identity.
 */
export interface Round { kind: LedgerEntry['sourceKind']; stream: string; first: number; end: number; members?: string }

/** A batch ready to insert: its policy violations (JSON lines), encoded flows, newest flow end (ms) and rejects. */
interface PreparedBatch { violations: Buffer | null; prepared: PreparedFlows; newest: number; span: { first: number; last: number } | null; rejected: RejectedRecord[] }

export interface BatchEnricher {
  apply(batch: FlowBatch): void;
  /** Policy violations found by the last apply, as JSON lines for policy_violations (stored with the batch, same token). */
  takeViolations?(): Buffer | null;
}

export const VIOLATION_COLUMNS = ['time', 'src_addr', 'dst_addr', 'src_segment', 'dst_segment', 'dst_port', 'protocol', 'action', 'kind', 'decision', 'rule',
  'observe', 'bytes', 'packets', 'src_owner', 'dst_owner', 'source'] as const;

export interface CommitterOptions {
  capacity?: number;
  /** Ledger kind of objects that do not name their own. */
  sourceKind: LedgerEntry['sourceKind'];
  /** Fills the enrichment columns of a full batch just before it is encoded (IPAM, ownership). */
  enrich?: BatchEnricher;
  /** Called after each batch is durably stored, and after a quarantined object or a round's own rejects are. */
  onStored?: (b: StoredBatch) => void;
  /** No batch buffer of its own: one is lent with attach() while it parses (rounds that parse in turn share one). */
  borrowsBatch?: boolean;
  /** limits.max_rejects_per_batch and max_reject_bytes_per_batch (defaults: DEFAULT_LIMITS). */
  limits?: Partial<Pick<Limits, 'max_rejects_per_batch' | 'max_reject_bytes_per_batch'>>;
  /** A listing's write-ahead (write-ahead.ts): each batch's segments written before its rows; `replay`: the batches left pending. */
  writeAhead?: WriteAheadOptions;
}

/** A batch's reject caps from the limits settings. */
export function rejectCaps(limits: CommitterOptions['limits']): RejectCaps {
  return {
    maxCount: limits?.max_rejects_per_batch ?? DEFAULT_REJECT_CAPS.maxCount,
    maxBytes: limits?.max_reject_bytes_per_batch ?? DEFAULT_REJECT_CAPS.maxBytes,
  };
}

export class Committer {
  /** The batch buffer rows are parsed into: the committer's own, or one lent to it for a while (attach). */
  private buf: FlowBatch | null;
  private readonly rejects: RejectBatch;
  private segments: Segment[] = [];
  /** Batches between encode and ledger; ledgerTail settles after the newest one's ledger rows. */
  private readonly inflight = new Set<Promise<void>>();
  private ledgerTail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  /** Written before the next batch's rows are (a round's intent), once. */
  private ahead: (() => Promise<void>) | null = null;
  private readonly maxInflight: number;
  private readonly writeAhead: WriteAhead | null;
  /** One insert in flight: the next batch's intent, for the ledger rows of the batch in flight to carry (an insert fewer). */
  private rider: { entry: LedgerEntry; taken: boolean } | null = null;
  readonly stats: BatchStats = emptyStats();

  constructor(private readonly store: FlowStore, private readonly opts: CommitterOptions) {
    this.buf = opts.borrowsBatch ? null : new FlowBatch(opts.capacity ?? DEFAULT_CAPACITY);
    this.rejects = new RejectBatch(rejectCaps(opts.limits));
    this.maxInflight = Math.max(1, store.maxInflightInserts ?? 1);
    this.writeAhead = opts.writeAhead ? new WriteAhead(opts.sourceKind, opts.writeAhead) : null;
  }

  /** The batch buffer; only while the committer has one (its own, or one attached). */
  get batch(): FlowBatch {
    if (!this.buf) throw new Error('this committer has no batch buffer: attach one first');
    return this.buf;
  }

  /**
   * Lends the committer a batch buffer (borrowsBatch): several committers whose
   * rounds are parsed one at a time share one buffer, since a batch is empty
   * again once its last rows are encoded (a 262,144-row buffer is ~124 MB).
   */
  attach(batch: FlowBatch): void {
    if (this.buf) throw new Error('this committer has a batch buffer already');
    this.buf = batch;
  }

  /** Gives the lent buffer back, empty: rows not yet flushed are dropped with their rejects and segments. */
  detach(): void {
    this.dropPending();
    this.buf = null;
  }

  /**
   * Parses a whole object into batches. `skipRows` rows at its start are
   * already stored (from an interrupted earlier run) and are parsed but dropped;
   * `resume`: the ledger has this object in part (its stored rejects are stepped over too).
   * `cuts`: the last segments, in this object, of batches stored again (a
   * replay): one that ended with the object flushes its batch there again.
   */
  async ingestObject(obj: SourceObject, parser: ObjectParser, skipRows = 0, resume = skipRows > 0, cuts: readonly Cut[] = []): Promise<void> {
    // resumed even at row 0: a batch the reject cap ended may have stored rejects before the object's first row
    let rejPosition = resume ? await skipStoredRows(this.store, obj.kind ?? this.opts.sourceKind, obj.name, parser, skipRows, this.rejects.caps) : 0;
    let position = skipRows;
    let seg = this.openSegment(obj, position, rejPosition);
    for (;;) {
      const before = this.batch.length, rejBefore = this.rejects.length;
      let done: boolean;
      try {
        const filled = parser.fill(this.batch, this.rejects);
        done = typeof filled === 'boolean' ? filled : await filled;
      } catch (e) {
        seg.cutShort = true;
        throw e;
      } finally {
        // rows a fill added before it threw (a source that failed mid-object) are whole lines and stay:
        // the segment counts them, it is stored unfinished, and a re-run resumes after them
        position += this.batch.length - before;
        seg.last = position;
        seg.rejected += this.rejects.length - rejBefore;
        rejPosition += this.rejects.length - rejBefore;
      }
      if (done) {
        seg.complete = true;
        // a batch stored again that ended with this object (the run's end, or a replay's) ends here again; one that ended
        // inside it ended where its rows or rejects filled it, as they fill it again
        if (cuts.some((c) => c.first === seg.first && c.last === position)) await this.flush();
        break;
      }
      await this.flush();
      seg = this.openSegment(obj, position, rejPosition);
    }
    this.stats.objects++;
  }

  /** Stores what is pending and waits until everything is durable. */
  async finish(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.drain();
    }
  }

  /**
   * Drops what is not yet stored (rows, rejects, segments) after waiting for the
   * batch in flight: for a caller that will produce the same input again.
   */
  async discard(): Promise<void> {
    await this.drain().catch(() => undefined);
    this.dropPending();
  }

  /**
   * Drops what is not yet flushed (rows, rejects, segments); the batches in
   * flight go on, and a failure of theirs still surfaces at the next flush or finish.
   */
  dropPending(): void {
    this.buf?.reset();
    this.rejects.clear();
    this.segments = [];
  }

  async flush(): Promise<void> {
    if (this.segments.length === 0) return;
    const segments = this.segments;
    this.segments = [];
    const token = batchToken(segments);
    const { violations, prepared, newest, span, rejected } = await this.prepare();
    const wal = this.writeAhead?.entries(segments.map(intentSegment));
    // one insert in flight: the intent rides with the ledger rows of the batch in flight, if they are still to be written
    const ride = wal?.intent && this.maxInflight === 1 && this.inflight.size > 0 ? { entry: wal.intent, taken: false } : null;
    this.rider = ride;
    // Bounded: at most maxInflight batches between encode and ledger.
    try {
      if (this.failure) throw this.failure;
      while (this.inflight.size >= this.maxInflight) await Promise.race(this.inflight);
    } catch (e) {
      this.rider = null;
      // nothing is left writing behind a failure: the caller may retry from the ledger at once
      await Promise.allSettled([...this.inflight, this.ledgerTail]);
      throw e;
    }
    if (this.ahead) {
      const ahead = this.ahead;
      this.ahead = null;
      await ahead();
    }
    this.rider = null;
    if (wal?.intent && !ride?.taken) await this.store.recordLedger([wal.intent]);
    const t0 = performance.now();
    // the rows of batches in flight are stored in parallel; the ledger rows go in batch order
    const rows = (async () => {
      await this.store.insertPrepared(prepared, token);
      await this.store.insertRejects(rejected, token);
      if (violations) await this.store.insertJsonLines('policy_violations', VIOLATION_COLUMNS, violations, token);
    })();
    rows.catch(() => undefined);
    const earlier = this.ledgerTail;
    const job = (async () => {
      await rows;
      // Order is kept: a batch's ledger rows never land before an earlier batch's rows are stored
      // (a resume starts after the last ledger row), so they wait for every earlier batch's ledger.
      await earlier;
      const rider = this.rider;
      this.rider = null;
      if (rider) rider.taken = true;
      await this.store.recordLedger([...segments.filter((s) => !s.obj.noLedger).map((s) => ({
        sourceKind: s.obj.kind ?? this.opts.sourceKind, object: s.obj.name, identity: s.obj.identity, batchId: token,
        firstPosition: s.first, lastPosition: s.last, rows: s.last - s.first, rejected: s.rejected, complete: s.complete,
      })), ...(wal?.marks ?? []), ...(rider ? [rider.entry] : [])]);
      const ms = performance.now() - t0;
      this.stats.insertMs += ms;
      this.stats.batches++;
      this.stats.rows += prepared.rows;
      this.stats.rejected += rejected.length;
      if (span) { this.stats.firstStart = Math.min(this.stats.firstStart, span.first); this.stats.lastStart = Math.max(this.stats.lastStart, span.last); }
      this.opts.onStored?.({ rows: prepared.rows, rejected: rejected.length, rejectsByReason: byReason(rejected), seconds: ms / 1000, ...(newest > 0 ? { newestFlowAt: new Date(newest) } : {}) });
    })();
    this.ledgerTail = job;
    this.inflight.add(job);
    // a failure surfaces at the next flush or finish, even if nobody awaits this job yet
    job.then(() => this.inflight.delete(job), (e: unknown) => {
      this.inflight.delete(job);
      this.failure ??= e as Error;
    });
  }

  /**
   * The pending batch enriched and encoded, and its rejects, taken out of the
   * committer: both are reset whether this succeeds or not. It runs while the
   * insert before it does, so the engine starts on it as soon as it is free:
   * with string columns sent as LowCardinality the encoded block is a fraction
   * of the batch it came from.
   */
  private async prepare(): Promise<PreparedBatch> {
    try {
      this.opts.enrich?.apply(this.batch);
      const violations = this.opts.enrich?.takeViolations?.() ?? null;
      const prepared = this.store.prepareFlows(this.batch);
      return { violations, prepared, newest: newestEnd(this.batch), span: startSpan(this.batch), rejected: this.rejects.items.slice() };
    } catch (e) {
      // the batch is gone with its segments (a retry starts from the ledger), and nothing is left writing behind the failure
      await Promise.allSettled([...this.inflight, this.ledgerTail]);
      throw e;
    } finally {
      this.batch.reset();
      this.rejects.clear();
    }
  }

  /** Waits until every batch in flight has settled; the first failure is thrown. */
  private async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight, this.ledgerTail]);
    this.inflight.clear();
    this.ledgerTail = Promise.resolve();
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
  }

  /** Batches stored again that did not come out as their intents say: the run's warnings. */
  get replayMismatches(): readonly string[] {
    return this.writeAhead?.mismatches ?? [];
  }

  /** Closes a listing's batches up to `n`, left pending and not to be stored again (gone, changed, or stored since). */
  async closeBatches(n: number): Promise<void> {
    if (this.writeAhead) await this.store.recordLedger([this.writeAhead.closing(n)]);
  }

  /** Where each object (or stream) of a kind stands, or only the named ones: what a run skips, resumes or replays. */
  progress(kind: LedgerEntry['sourceKind'], objects?: readonly string[]): Promise<Map<string, ObjectProgress>> {
    return this.store.ledgerState(kind, objects);
  }

  /**
   * An object that cannot be read, decompressed or opened: one reject with the
   * reason (DECODE, or the QuarantineError's: TOO_LARGE), and the object marked
   * done so no run tries it again.
   */
  async quarantineObject(obj: SourceObject & { kind: LedgerEntry['sourceKind'] }, error: Error): Promise<void> {
    const rej = new RejectBatch();
    const reason = quarantineReason(error);
    rej.add(obj.name, 0, reason, error.message, '');
    await this.store.insertRejects(rej.items, `decode:${obj.name}:${obj.identity}`);
    await this.store.recordLedger([{ sourceKind: obj.kind, object: obj.name, identity: obj.identity, batchId: `decode:${obj.name}`,
      firstPosition: 0, lastPosition: 0, rows: 0, rejected: 1, complete: true }]);
    this.stats.rejected++;
    this.opts.onStored?.({ rows: 0, rejected: 1, rejectsByReason: { [reason]: 1 }, seconds: 0 });
  }

  /**
   * Write-ahead: the exact range a round will store, written before any of it
   * is stored but after its first batch is parsed and encoded. The engine runs
   * one statement at a time, so a round of one stream is parsed while another
   * stream's round is being inserted, not queued behind it. A round that ends
   * without a batch (all its messages rejected) writes it at commitRound.
   */
  beginRound(r: Round): void {
    this.ahead = () => this.writeIntent(r);
  }

  /**
   * The round is over (stored, abandoned or failed): an intent it armed and
   * never wrote is dropped. Kept across discard(): a round run again after a
   * source outage writes its intent once, at its first insert in any attempt,
   * so the intent's time (what a replay takes as "stored before") is the first's.
   */
  endRound(): void {
    this.ahead = null;
  }

  /** The round's intent is armed and not yet written (no batch has been flushed). */
  get intentPending(): boolean {
    return this.ahead !== null;
  }

  private async writeIntent(r: Round): Promise<void> {
    await this.store.recordLedger([{ sourceKind: r.kind, object: r.stream, identity: r.members ?? '', batchId: roundId(r),
      firstPosition: r.first, lastPosition: r.end, rows: 0, rejected: 0, complete: false, state: 'intent' }]);
  }

  /** Stores what the round holds, its own rejects (undecodable messages), then marks it stored. */
  async commitRound(r: Round, rejects: RejectBatch): Promise<void> {
    await this.finish();
    if (this.ahead) { this.ahead = null; await this.writeIntent(r); }
    if (rejects.length) await this.store.insertRejects(rejects.items, `${r.stream}:${r.first}-${r.end - 1}:obj`);
    await this.store.recordLedger([{ sourceKind: r.kind, object: r.stream, identity: '', batchId: roundId(r),
      firstPosition: r.first, lastPosition: r.end, rows: 0, rejected: rejects.length, complete: false, state: 'stored' }]);
    this.stats.rejected += rejects.length;
    if (rejects.length) this.opts.onStored?.({ rows: 0, rejected: rejects.length, rejectsByReason: byReason(rejects.items), seconds: 0 });
  }

  private openSegment(obj: SourceObject, first: number, rejFirst: number): Segment {
    const seg: Segment = { obj, first, last: first, rejFirst, rejected: 0, complete: false };
    this.segments.push(seg);
    return seg;
  }
}

const roundId = (r: Round): string => `${r.stream}:${r.first}-${r.end - 1}`;
