/**
 * Rounds of messages into the store, effectively once: the pipeline side of a
 * message source (Kafka today).
 *
 * A round is one fetch of one stream (a topic partition), or the part of it
 * that fills whole batches (the rest is fetched again). Before its first
 * insert, its exact position range is written as an intent (commit/committer);
 * the source acknowledges it only after its rows, quarantine and the 'stored'
 * ledger row are durable. A restarted consumer skips what the ledger has
 * stored (even if the source's own acknowledgement is older) and replays a
 * pending intent exactly, so the batches and their dedup tokens are the same
 * as before the crash and the engine drops whatever had already landed.
 *
 * A message holds VPC lines (format from a header line or the configured log
 * format), Azure flow-log JSON, or an S3 notification whose objects are
 * fetched and parsed (recorded in the ledger under s3, so a re-delivered
 * notification stores nothing twice). An undecodable message is quarantined
 * with its stream and offset and never blocks the stream.
 */
import { EVENTS } from '../telemetry/event-names.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { Committer, type BatchEnricher, type StoredBatch } from '../commit/committer.js';
import { completedBefore } from '../commit/ledger-reads.js';
import { FlowlogError } from '../core/errors.js';
import { FlowBatch } from '../core/flow-batch.js';
import { QuarantineError, RejectBatch, quarantineReason } from '../core/rejects.js';
import { decodedHead, decodeObject } from '../decode/gzip.js';
import type { FormatPlan } from '../parse/aws/log-format.js';
import { openObjectParser, openRawObjectParser, type ObjectParser, type ParseOptions } from '../parse/object-parser.js';
import type { S3Allowlist } from '../sources/s3/allowlist.js';
import { openS3Body } from '../sources/s3/s3-body.js';
import { mayBeNotification, s3Notification, type NotifiedObject } from '../sources/s3/s3-notification.js';
import type { MessageSink, RoundControl, RoundOutcome, SourceMessage } from '../sources/source.js';
import type { FlowStore, ObjectProgress } from '../store/store.js';
import type { Limits } from '../../schemas/config.js';
import { log } from '../telemetry/log.js';

export interface MessageRoundsOptions {
  /** Ledger name of the stream's source kind. */
  logFormat?: FormatPlan;
  /** Needed when messages carry S3 notifications: the client, and which objects it may fetch (a notification is untrusted). */
  s3?: NotifiedS3;
  capacity: number;
  enrich?: BatchEnricher;
  /** After each stored batch (and each round's own rejects, as a batch of no flows). */
  onBatch?: (b: StoredBatch) => void;
  /** After each stored round: its stream, backlog behind it when fetched, messages and duration. */
  onRound?: (r: { partition: string; lag: number; messages: number; seconds: number }) => void;
  onStored?: (s: MessageRoundStats) => void;
  /** The configuration's limits (message and document sizes, rejects held per batch). */
  limits?: Partial<Limits>;
}

/** How notified objects are fetched, and which: an object the allowlist refuses is never requested. */
export interface NotifiedS3 { client: S3Client; allow: S3Allowlist }

export interface MessageRoundStats {
  messages: number; rows: number; rejected: number; batches: number; s3Objects: number; skippedMessages: number;
  /** Rounds run again because S3 could not deliver an object they name. */
  sourceRetries: number;
}

export class MessageRounds implements MessageSink {
  readonly stats: MessageRoundStats = { messages: 0, rows: 0, rejected: 0, batches: 0, s3Objects: 0, skippedMessages: 0, sourceRetries: 0 };
  /** stream -> stored end position (exclusive) and any write-ahead intent beyond it. */
  private progress = new Map<string, ObjectProgress>();
  /** Committers not in use by a round: one per round in hand; they share one batch buffer (this.batch), lent in the parse turn. */
  private readonly idle: Committer[] = [];
  /** Holds rounds back while notified objects are in play (see storeRound). */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: FlowStore, private readonly opts: MessageRoundsOptions) {}

  /** The one batch buffer every round parses into, in its parse turn (parseRound lends it to the round's committer). */
  private batch: FlowBatch | null = null;

  private committer(): Committer {
    return this.idle.pop() ?? new Committer(this.store, {
      sourceKind: 's3',
      borrowsBatch: true,
      ...(this.opts.enrich ? { enrich: this.opts.enrich } : {}),
      ...(this.opts.limits ? { limits: this.opts.limits } : {}),
      onStored: (b) => { this.stats.rows += b.rows; this.stats.rejected += b.rejected; this.opts.onBatch?.(b); },
    });
  }

  /**
   * Reads where every stream and notified object stands: before the source
   * fetches anything, and again after a rebalance. A round released to the
   * source may still be storing meanwhile, so what this reads of its stream
   * can be older than what the round then stores. That costs work, never rows:
   * a batch fetched past the stale intent makes fresh() ask the ledger again,
   * and one fetched at the intent replays it exactly (same batches, same tokens).
   */
  async load(): Promise<void> {
    this.progress = await this.store.ledgerState('kafka');
  }

  /**
   * Several consumers in one group: after a rebalance a stream may come from
   * another instance that stored past what this one knows, or died leaving an
   * intent. Read again from the ledger before the next round, so that intent
   * is replayed exactly here (same batches, same tokens) and nothing it
   * stored is stored again.
   */
  reassigned(): void { this.stale = true; }

  private stale = false;
  private loading: Promise<void> | null = null;
  /** Streams whose last round failed: their intent may be in the ledger only, so the next round reads it there. */
  private readonly reread = new Set<string>();

  private async fresh(stream: string, firstFetched: number | undefined): Promise<ObjectProgress | undefined> {
    if (this.stale) {
      this.stale = false;
      this.loading ??= this.load().catch((e: unknown) => { this.stale = true; throw e; }).finally(() => { this.loading = null; });
    }
    if (this.loading) await this.loading;
    if (this.reread.has(stream)) {
      // the source hands the failed round over again, maybe with more messages: it must replay the intent exactly
      const now = (await this.store.ledgerState('kafka', [stream])).get(stream);
      this.reread.delete(stream);
      if (now) this.progress.set(stream, now); else this.progress.delete(stream);
    }
    const known = this.progress.get(stream);
    // an intent behind what the broker hands out was finished by another consumer: the ledger says how
    if (known?.intent && firstFetched !== undefined && firstFetched >= known.intent.end) {
      let now = (await this.store.ledgerState('kafka', [stream])).get(stream);
      // still pending there, yet the group's offset is past it: it was committed, so stored (commits follow the ledger)
      if (now?.intent && firstFetched >= now.intent.end) now = { identity: now.identity, complete: now.complete, storedRows: now.storedRows };
      if (now) this.progress.set(stream, now); else this.progress.delete(stream);
      return now;
    }
    return known;
  }

  /**
   * Rounds of different streams run at once (concurrency): one is parsed while
   * another's insert runs. Each stream's ledger rows are its own, so the protocol
   * is the same per stream. Notified S3 objects are not: which ones a round
   * skips depends on what other rounds stored before its intent, so with S3
   * notifications possible (an S3 client configured) rounds run one at a time.
   */
  storeRound(stream: string, messages: readonly SourceMessage[], ctl: RoundControl, lag: number): Promise<RoundOutcome | null> {
    if (!this.opts.s3) return this.storeOne(stream, messages, ctl, lag);
    const run = this.serial.then(() => this.storeOne(stream, messages, ctl, lag));
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async storeOne(stream: string, messages: readonly SourceMessage[], ctl: RoundControl, lag: number): Promise<RoundOutcome | null> {
    const committer = this.committer();
    try {
      const outcome = await this.storeWith(committer, stream, messages, ctl, lag);
      if (outcome === null) this.reread.add(stream); // abandoned mid-round: its intent may be written
      return outcome;
    } catch (e) {
      this.reread.add(stream);
      throw e;
    } finally {
      // an abandoned or failed round leaves nothing behind for the next one: no rows, no insert, no armed intent
      await committer.discard();
      committer.endRound();
      this.idle.push(committer);
    }
  }

  private async storeWith(committer: Committer, stream: string, messages: readonly SourceMessage[], ctl: RoundControl, lag: number): Promise<RoundOutcome | null> {
    const progress = await this.fresh(stream, messages[0]?.offset);
    const from = progress?.storedRows ?? 0;
    const intent = progress?.intent;
    // A pending intent is replayed exactly: same first position, same end, so the same batches and dedup tokens.
    const fetched = messages.filter((m) => m.offset >= from && (!intent || m.offset < intent.end));
    const skipped = messages.filter((m) => m.offset < from).length;
    // a replay takes exactly its intent's messages; a new round only what fills whole batches (fullBatches)
    const take = intent ? fetched : this.fullBatches(stream, fetched);
    const left = messages.length - skipped - take.length; // fetched again: backlog too
    this.stats.skippedMessages += skipped;
    if (take.length === 0) return skipped > 0 ? { through: messages[skipped - 1]!.offset + 1, stored: false } : null;
    const first = take[0]!.offset, last = take[take.length - 1]!.offset;
    const round = { kind: 'kafka' as const, stream, first, end: last + 1 };
    const roundStart = performance.now();
    const replay = intent !== undefined;
    if (replay && (first !== intent.first || last + 1 !== intent.end)) {
      log.warn(EVENTS.kafkaReplayMismatch, { partition: stream, intent, fetched: { first, end: last + 1 } });
    }
    // objects a notification names are skipped when stored before this round began, or earlier in it (re-delivered).
    // A retry of the round, or its replay after a crash (stored before its intent was written), decides the same
    // way, so its batches, and their dedup tokens, are the same. The ledger is asked about the round's own names
    // only, once, when the round begins: nothing of every notified object ever stored is held in memory.
    const named = await this.notifiedNames(take);
    const storedBefore = named.length === 0 ? new Map<string, ObjectProgress>()
      : replay ? (intent.at ? await completedBefore(this.store, 's3', intent.at, named) : new Map<string, ObjectProgress>())
        : await this.store.ledgerState('s3', named);
    if (!replay) committer.beginRound(round); // written before the round's first insert, in whichever attempt
    const rowsBefore = committer.stats.rows;
    let rejects: RejectBatch;
    let doneNow: Map<string, ObjectProgress>;
    let released = false;
    for (let attempt = 0; ; attempt++) {
      rejects = new RejectBatch();
      doneNow = new Map();
      try {
        if (!(await this.parseRound(committer, stream, take, ctl, rejects, storedBefore, doneNow))) return null;
        // parsed, its intent durable (written by its first batch, or a replay's own): the source may fetch on
        if (!released && !committer.intentPending) { released = true; ctl.released?.(last + 1); }
        await committer.finish();
        break;
      } catch (e) {
        // an object S3 could not deliver: nothing of this round is acknowledged; it is run again, the same way, until S3 answers
        if (!FlowlogError.is(e, 'SOURCE_UNAVAILABLE')) throw e;
        await committer.discard();
        this.stats.sourceRetries++;
        const waitMs = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        log.warn(EVENTS.sourceUnavailable, { partition: stream, offsets: [first, last], attempt: attempt + 1, retry_in_ms: waitMs, reason: e.message });
        await sleep(waitMs);
        if (!ctl.isRunning()) return null;
      }
    }
    await committer.commitRound(round, rejects); // its rejects reach onBatch (and stats.rejected) through onStored
    this.learn(stream, take, committer.stats.rows - rowsBefore);
    this.stats.messages += take.length;
    this.progress.set(stream, { identity: '', complete: false, storedRows: last + 1 });
    this.stats.batches++;
    this.opts.onRound?.({ partition: stream, lag: lag + left, messages: take.length, seconds: (performance.now() - roundStart) / 1000 });
    this.opts.onStored?.(this.stats);
    return { through: last + 1, stored: true };
  }

  /** Bytes of message per stored row, by stream, from its last round (fullBatches' estimate). */
  private readonly bytesPerRow = new Map<string, number>();
  /** The same by topic (its partition stored last): a partition's first round is cut by it, not taken whole into a sliver. */
  private readonly bytesPerRowOfTopic = new Map<string, number>();

  /**
   * The first messages of a fetch that fill whole batches, by the bytes per
   * row of the stream's last round with rows: the rest are handed back to the source, which
   * fetches them again with what follows. A fetch cut into rounds at whatever
   * it holds leaves each round's last batch part-full, and those small inserts
   * are parts the engine must merge: with 8 MB fetches and 65536-row batches
   * every round stored one full batch and one of a few thousand rows, and the
   * merges took the peak from ~500 to ~720 MB (docs/performance.md, Kafka rounds of whole batches).
   * A fetch that holds less than one batch is taken whole, so a stream that has
   * caught up is stored at once. Aimed at 90% of the batches: a row estimate a
   * little low leaves the last batch short, never a sliver after it. Only the
   * cut depends on history: the intent records the round as taken, and a
   * replay takes exactly that.
   */
  private fullBatches(stream: string, fetched: readonly SourceMessage[]): readonly SourceMessage[] {
    const perRow = this.bytesPerRow.get(stream) ?? this.bytesPerRowOfTopic.get(topicOf(stream));
    if (perRow === undefined || this.opts.s3) return fetched; // notified objects' rows have nothing to do with the message's bytes
    const whole = Math.floor(bytesOf(fetched) / perRow / this.opts.capacity);
    if (whole === 0) return fetched;
    const budget = whole * this.opts.capacity * FULL_BATCH_AIM * perRow;
    let n = 0;
    for (let used = 0; n < fetched.length && (n === 0 || used + sizeOf(fetched[n]!) <= budget); n++) used += sizeOf(fetched[n]!);
    return n === fetched.length ? fetched : fetched.slice(0, n);
  }

  private learn(stream: string, take: readonly SourceMessage[], rows: number): void {
    if (rows === 0) return;
    const perRow = bytesOf(take) / rows;
    this.bytesPerRow.set(stream, perRow);
    this.bytesPerRowOfTopic.set(topicOf(stream), perRow);
  }

  /**
   * Parses a round's messages into its committer, in the parse turn, and
   * leaves its last batch on its way to the store. False: the source stopped
   * mid-round (not stored, not acknowledged: the intent replays it).
   */
  private async parseRound(committer: Committer, stream: string, take: readonly SourceMessage[], ctl: RoundControl, rejects: RejectBatch,
    storedBefore: ReadonlyMap<string, ObjectProgress>, doneNow: Map<string, ObjectProgress>): Promise<boolean> {
    const release = await this.parseTurn();
    try { // the turn is given up whatever happens, or every later round would wait for it forever
      // rounds held at once (parsing, storing, handed back) would each keep a buffer of `capacity` rows: one is lent instead
      committer.attach(this.batch ??= new FlowBatch(this.opts.capacity));
      try {
        for (const m of take) {
          if (!ctl.isRunning()) return false;
          const where = `kafka:${stream}@${m.offset}`;
          const value = m.value ?? Buffer.alloc(0);
          let data: Buffer;
          try { data = await decodeObject(value, this.opts.limits?.max_message_bytes); } catch (e) {
            rejects.add(where, m.offset, quarantineReason(e), (e as Error).message, value.subarray(0, 512)); continue;
          }
          const notified = notification(data);
          if (notified) { await this.ingestNotified(committer, notified, rejects, where, storedBefore, doneNow); continue; }
          let parser: ObjectParser;
          try { parser = openObjectParser(where, data, this.parseOptions()); } catch (e) {
            if (!(e instanceof QuarantineError)) throw e;
            rejects.add(where, m.offset, e.reason, e.message, value.subarray(0, 512)); continue;
          }
          await committer.ingestObject({ name: where, identity: '', noLedger: true }, parser);
        }
        await committer.flush(); // the last batch is encoded and on its way: the next round may parse
        return true;
      } finally {
        // empty before the next round may parse into it: an abandoned or failed round's unflushed rows go here
        committer.detach();
      }
    } finally {
      release();
    }
  }

  /** The S3 objects a round's notifications name, as the ledger records them (s3://bucket/key); none without an S3 client. */
  private async notifiedNames(take: readonly SourceMessage[]): Promise<string[]> {
    if (!this.opts.s3) return [];
    const names = new Set<string>();
    const max = this.opts.limits?.max_message_bytes;
    for (const m of take) {
      const value = m.value ?? Buffer.alloc(0);
      // what notification() reads first, inflated alone: a batch of flow-log lines is then inflated once, by the parse
      let head: Buffer | null;
      try { head = decodedHead(value, NOTIFICATION_HEAD, max); } catch { continue; } // quarantined by the parse
      if (head !== null && !looksLikeNotification(head)) continue;
      let data: Buffer;
      try { data = await decodeObject(value, max); } catch { continue; }
      for (const o of notification(data) ?? []) names.add(objectName(o));
    }
    return [...names];
  }

  /**
   * One round parses at a time: the engine runs one statement at a time, so a
   * round parsed while another's insert runs is ready when the engine is free.
   * Rounds parsing side by side would only share the same core and reach the
   * engine together.
   */
  private async parseTurn(): Promise<() => void> {
    const before = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((r) => { release = r; });
    await before;
    return release;
  }

  private turn: Promise<void> = Promise.resolve();

  private parseOptions(): ParseOptions {
    return { ...(this.opts.logFormat ? { logFormat: this.opts.logFormat } : {}), ...(this.opts.limits ? { limits: this.opts.limits } : {}) };
  }

  /** Objects in `storedBefore` (before the round) or `doneNow` (earlier in it) are skipped as re-delivered; what this stores joins `doneNow`. */
  private async ingestNotified(committer: Committer, objects: NotifiedObject[], rejects: RejectBatch, where: string,
    storedBefore: ReadonlyMap<string, ObjectProgress>, doneNow: Map<string, ObjectProgress>): Promise<void> {
    if (!this.opts.s3) { rejects.add(where, 0, 'DECODE', 'an S3 notification arrived but no S3 client is configured', JSON.stringify(objects).slice(0, 512)); return; }
    const { client, allow } = this.opts.s3;
    for (const o of objects) {
      const name = objectName(o);
      // before the ledger and before any request: an object outside the allowlist is neither fetched nor recorded
      const refused = allow.refusal(o.bucket, o.key);
      if (refused) { rejects.add(name, 0, 'NOT_ALLOWED', `${refused} (announced by ${where})`, ''); continue; }
      const identity = `${o.etag}:${o.size}`;
      const before = doneNow.get(name) ?? storedBefore.get(name);
      if (before?.complete && before.identity === identity) continue; // re-delivered
      let parser: ObjectParser;
      try { parser = await openRawObjectParser(name, await openS3Body(client, o), this.parseOptions()); } catch (e) {
        if (FlowlogError.is(e, 'SOURCE_UNAVAILABLE')) throw e;
        rejects.add(name, 0, quarantineReason(e), `${(e as Error).message} (announced by ${where})`, ''); continue;
      }
      await committer.ingestObject({ name, identity, kind: 's3' }, parser);
      doneNow.set(name, { identity, complete: true, storedRows: 0 });
      this.stats.s3Objects++;
    }
  }
}

/** fullBatches' share of whole batches a new round aims at. */
const FULL_BATCH_AIM = 0.9;

const sizeOf = (m: SourceMessage): number => m.value?.length ?? 0;

/** A stream's topic: `topic/partition` (a topic name has no '/'). */
const topicOf = (stream: string): string => stream.slice(0, stream.lastIndexOf('/'));

function bytesOf(messages: readonly SourceMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += sizeOf(m);
  return bytes;
}

const objectName = (o: NotifiedObject): string => `s3://${o.bucket}/${o.key}`;

/** Bytes of a message that decide whether it may be a notification (looksLikeNotification). */
const NOTIFICATION_HEAD = 2048;

function looksLikeNotification(data: Buffer): boolean {
  const head = data.toString('utf8', 0, Math.min(data.length, NOTIFICATION_HEAD));
  return head.trimStart().startsWith('{') && mayBeNotification(head);
}

function notification(data: Buffer): NotifiedObject[] | null {
  if (!looksLikeNotification(data)) return null;
  try { return s3Notification(JSON.parse(data.toString('utf8'))); } catch { return null; }
}
