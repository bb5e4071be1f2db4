/**
 * Rounds of S3 objects on the embedded store that share batches (one insert
 * for many small objects), each round's composition written ahead so a
 * restart stores it again exactly: an SQS source's receives (sqs-rounds.ts)
 * and an S3 poll's listing pages (object-rounds.ts).
 *
 * Why this is safe here and not on a server: a batch's dedup token is the hash
 * of the object segments it holds (commit/committer.ts), so a second writer of
 * the same object must cut the same batches, which per-object batches
 * guarantee and shared ones do not. The embedded store has one writer: its
 * data directory belongs to one process, and in that process rounds take turns
 * (store-turn.ts), each choosing its objects from the ledger as its turn
 * begins. What remains is a crash, or a failed insert, mid-round: the
 * messages come back (or the next poll lists again, newer objects among the
 * old) and would make a round of a different composition.
 *
 * The write-ahead: a round's objects are fetched whole first (those S3 cannot
 * deliver now are left for later), then, before its first insert, its intent
 * is written: one ledger row (the source's kind, its stream, its round number)
 * whose identity lists its objects in order. After its last batch and ledger
 * rows a stored mark follows. A stream's next round starts only when the one
 * before is marked stored, and every turn first recovers the streams not known
 * yet (store-turn.ts): a round that failed, or the last intent of a process
 * that died, is replayed before any other round may store one of its objects.
 * The replay takes the intent's objects in its order, each from where the
 * ledger says it stands, so its first batch is the one in flight at the crash,
 * with the same token, and the engine drops it if it had landed.
 *
 * Objects too large to hold whole, or partly stored before (another path
 * resumes them after their last batch), go in batches of their own.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Committer, type Round } from '../commit/committer.js';
import type { LedgerEntry } from '../store/store.js';
import { latestRound } from '../commit/ledger-reads.js';
import { FlowlogError, httpStatusOf } from '../core/errors.js';
import { RejectBatch } from '../core/rejects.js';
import { growsByAppend } from '../sources/append-only.js';
import { openS3Body, readS3Object, TooLargeToHold } from '../sources/s3/s3-body.js';
import { notThere } from '../sources/s3/s3-notification.js';
import type { S3Object } from '../sources/s3/s3-source.js';
import type { FlowStore } from '../store/store.js';
import { EVENTS } from '../telemetry/event-names.js';
import type { Logger } from '../telemetry/log.js';
import { addSummary, emptySummary, ingestObjects, openFetched, type IngestOptions, type IngestSummary } from './ingest.js';
import { ReplayPending, storeTurn } from './store-turn.js';

/** Objects above this are streamed in batches of their own: they fill inserts alone, and are not held whole. */
export const SHARED_OBJECT_MAX = 8 << 20;
/** Bytes of objects (as fetched) a round holds at once; more make several rounds. */
const ROUND_BYTES = 32 << 20;
/** GETs in flight for a round's objects, at least (small objects: latency, not bandwidth, is the cost). */
const ROUND_GETS = 128;

export interface SharedRoundsOptions {
  /** The ledger kind of the rounds' rows: 'sqs' for a queue, 's3' for a poll. */
  kind: LedgerEntry['sourceKind'];
  /** The source's stream in the ledger (sqs://host/account/queue, s3-poll://bucket/prefix): its rounds are numbered there. */
  stream: string;
  s3: { client: S3Client; concurrency?: number };
  ingest: IngestOptions;
  log: Logger;
  /**
   * Objects named by notifications (SQS): one S3 does not have (404) may not be
   * visible yet, so it is left unfinished and its message kept. Listed objects
   * (a poll): a 404 is an object deleted since the listing, quarantined as
   * `flowlog ingest` does.
   */
  notified: boolean;
}

/** Objects in batches of their own (sharedWriterCuts in ingest.ts), fetched from S3 a few at a time; `notified`: as SharedRoundsOptions says. */
export function ingestAlone(store: FlowStore, s3: { client: S3Client; concurrency?: number }, ingest: IngestOptions, list: S3Object[], notified: boolean): Promise<IngestSummary> {
  const { client } = s3;
  return ingestObjects(store, {
    kind: 's3', readAhead: s3.concurrency ?? 4, list: async function* () { yield list; },
    fetch: (o) => (notified ? openS3Body(client, o).catch((e: unknown) => { throw notThere(o, e); }) : openS3Body(client, o)),
  }, { ...ingest, batchCuts: 'per-object', ledgerForListedOnly: true });
}

/** An object fetched whole; or why not: an error (S3's, kept raw), or `deferred` past the round's bytes (fetched with the next round). */
type Fetched = { o: S3Object; bytes: Buffer } | { o: S3Object; error: Error } | { o: S3Object; deferred: true };
/** resumeAt: the object is in the ledger in part, resumed after that many rows (and its stored rejects); absent, from its start. */
type Member = { o: S3Object; bytes: Buffer; resumeAt?: number };

/** S3's answer that an object is not there as named: 404, 412, or 403 AccessDenied (a missing key, to a role that may not list). */
export function gone(e: unknown): boolean {
  const f = (httpStatusOf(e) === undefined ? (e as { cause?: unknown }).cause ?? e : e) as { name?: string; Code?: string }; // SOURCE_UNAVAILABLE wraps S3's error
  const status = httpStatusOf(f);
  return status === 404 || status === 412 || (status === 403 && (f.name === 'AccessDenied' || f.Code === 'AccessDenied'));
}

export class SharedRounds {
  /** One batch buffer for every round of this source (rounds run one at a time). */
  private readonly committer: Committer;
  private summary: IngestSummary = emptySummary();

  constructor(private readonly store: FlowStore, private readonly opts: SharedRoundsOptions) {
    const { ingest } = opts;
    this.committer = new Committer(store, {
      sourceKind: 's3', capacity: ingest.capacity ?? ingest.batchRows,
      ...(ingest.enrich ? { enrich: ingest.enrich } : {}), ...(ingest.limits ? { limits: ingest.limits } : {}),
      onStored: (b) => { this.summary.rejected += b.rejected; ingest.onBatch?.(b); },
    });
    storeTurn(store).streams.set(opts.stream, () => this.recover());
  }

  /** Replays this stream's pending round, and every other stream's, if any is not recovered yet (at start, after a failure). */
  async recoverPending(): Promise<void> {
    const turn = storeTurn(this.store);
    if ([...turn.streams.keys()].some((s) => !turn.next.has(s))) await turn.run(async () => undefined);
  }

  /**
   * Stores the objects (each named once) that the ledger does not have yet, in
   * this store's turn. Their first round's objects are fetched before the turn,
   * while the round before is being stored: a notification names a new object,
   * so the ledger will not skip it but for a delivery repeated.
   */
  storeObjects(objects: readonly S3Object[]): Promise<IngestSummary> {
    const early = leadingRun(objects.filter(mayShare), ROUND_BYTES);
    const ahead = new Map<S3Object, Promise<Fetched>>();
    const all = this.fetchAll(early);
    early.forEach((o, i) => ahead.set(o, all.then((r) => r[i]!)));
    return storeTurn(this.store).run(() => this.inTurn(objects, ahead));
  }

  private async inTurn(objects: readonly S3Object[], ahead: ReadonlyMap<S3Object, Promise<Fetched>>): Promise<IngestSummary> {
    const t0 = performance.now();
    const turn = storeTurn(this.store), { stream } = this.opts;
    const s = this.summary = emptySummary();
    const rows0 = this.committer.stats.rows, ms0 = this.committer.stats.insertMs;
    try {
      const own = turn.blocked.get(stream);
      if (own) throw own.error; // its next round waits for its pending one
      // objects of another stream's pending round, not replayed yet: theirs to store first
      const waiting = new Map<string, ReplayPending>();
      for (const { error } of turn.blocked.values()) for (const name of error.objects) waiting.set(name, error);
      const ledger = await this.store.ledgerState('s3', objects.map((o) => o.name));
      let queue: S3Object[] = [];
      const alone: S3Object[] = [];
      for (const o of objects) {
        const held = waiting.get(o.name);
        if (held) { s.unfinished.push({ object: o.name, reason: held.message }); continue; }
        const p = ledger.get(o.name);
        if (p?.identity === o.identity && p.complete) { s.skipped++; continue; }
        // stored in part (rows, or rejects only): resumed after what is stored, alone
        (mayShare(o) && p?.identity !== o.identity ? queue : alone).push(o);
      }
      for (let first = true; queue.length > 0; first = false) {
        const chunk = leadingRun(queue, ROUND_BYTES);
        const fetched = first ? await this.fetched(chunk, ahead) : await this.fetchAll(chunk);
        const members: Member[] = [], deferred: S3Object[] = [];
        for (const f of fetched) {
          if ('bytes' in f) { members.push(f); continue; }
          if ('deferred' in f) { deferred.push(f.o); continue; }
          if (f.error instanceof TooLargeToHold) { alone.push(f.o); continue; } // its notification understated its size
          s.objects++; s.bytes += f.o.size;
          const e = (this.opts.notified ? notThere(f.o, f.error) : f.error) as Error;
          if (FlowlogError.is(e, 'SOURCE_UNAVAILABLE')) s.unfinished.push({ object: f.o.name, reason: e.message });
          else await this.committer.quarantineObject({ name: f.o.name, identity: f.o.identity, kind: 's3' }, e); // replaced since notified (412)
        }
        queue = [...deferred, ...queue.slice(chunk.length)];
        if (members.length === 0) continue;
        const n = turn.next.get(stream)!;
        await this.storeRound(n, members, false);
        turn.next.set(stream, n + 1);
      }
      if (alone.length > 0) addSummary(s, await ingestAlone(this.store, this.opts.s3, this.opts.ingest, alone, this.opts.notified));
    } catch (e) {
      // whether a round is pending, and what this stream's next round is, the ledger says: every later turn asks it first
      turn.next.delete(stream);
      throw e;
    }
    s.rows += this.committer.stats.rows - rows0;
    s.insertSeconds += (this.committer.stats.insertMs - ms0) / 1000;
    s.seconds = (performance.now() - t0) / 1000;
    return s;
  }

  /** The stream's next round number, from the ledger; a round left pending (intent, no stored mark) is replayed first. */
  private async recover(): Promise<number> {
    const last = await latestRound(this.store, this.opts.kind, this.opts.stream);
    if (!last) return 0;
    if (last.pending !== null) {
      try { await this.replay(last.n, last.pending); } catch (e) {
        throw new ReplayPending(this.opts.stream, parseMembers(last.pending).map((o) => o.name), e);
      }
    }
    return last.n + 1;
  }

  /**
   * A pending round stored again: its objects in its order, each from where the
   * ledger says it stands (done: skipped; in part: resumed after its stored
   * rows), as a restart of `flowlog ingest` resumes a listing. Batches before
   * the crash have their ledger rows; the one in flight, which may have landed
   * without them, starts where they end, so the replay's first batch is that
   * batch, with its token, and the engine drops it if it landed.
   */
  private async replay(n: number, intent: string): Promise<void> {
    this.summary = emptySummary(); // replayed in another round's turn: its counts are not that round's (its batches are counted as stored)
    const objects = parseMembers(intent);
    const ledger = await this.store.ledgerState('s3', objects.map((o) => o.name));
    const todo = new Map<S3Object, number | undefined>();
    for (const o of objects) {
      const p = ledger.get(o.name);
      if (p?.identity === o.identity && p.complete) continue;
      todo.set(o, p?.identity === o.identity ? p.storedRows : undefined);
    }
    this.opts.log.info(EVENTS.sqsRoundReplayed, { stream: this.opts.stream, round: n, objects: objects.length, left: todo.size });
    const members: Member[] = [];
    // no budget: every object, in order; they were held together when the round was written
    for (const f of await this.fetchAll([...todo.keys()], Infinity, Infinity)) {
      if ('bytes' in f) { const resumeAt = todo.get(f.o); members.push(resumeAt === undefined ? f : { ...f, resumeAt }); continue; }
      if ('deferred' in f) continue; // not without a budget
      // gone (404, or AccessDenied where listing is not allowed) or replaced (412): it cannot be read as it was; anything
      // else (S3 down, credentials) may pass, and the replay waits for it (its objects wait with it: store-turn.ts)
      if (!gone(f.error)) throw f.error;
      this.opts.log.warn(EVENTS.sqsReplayMismatch, { stream: this.opts.stream, round: n, object: f.o.name, reason: f.error.message,
        hint: 'the replay goes on without it: if the batch in flight at the crash held it, that batch is cut differently and its rows may be stored twice' });
    }
    await this.storeRound(n, members, true);
  }

  /** One round: its intent (unless replayed), its objects in order into shared batches, its stored mark. */
  private async storeRound(n: number, members: readonly Member[], replay: boolean): Promise<void> {
    const s = this.summary;
    const round: Round = { kind: this.opts.kind, stream: this.opts.stream, first: n, end: n + 1, members: JSON.stringify(members.map(({ o }) => [o.bucket, o.key, o.etag, o.size])) };
    const c = this.committer;
    if (!replay) c.beginRound(round); // written before the round's first insert
    try {
      for (const { o, bytes, resumeAt } of members) {
        s.objects++; s.bytes += o.size;
        const parser = await openFetched(o.name, bytes, this.opts.ingest).catch((e: unknown) => e as Error);
        if (parser instanceof Error) { await c.quarantineObject({ name: o.name, identity: o.identity, kind: 's3' }, parser); continue; }
        await c.ingestObject({ name: o.name, identity: o.identity, kind: 's3' }, parser, resumeAt ?? 0, resumeAt !== undefined);
        for (const w of parser.warnings ?? []) if (s.warnings.length < 20) s.warnings.push(w);
      }
      await c.commitRound(round, new RejectBatch());
    } catch (e) {
      await c.discard();
      throw e;
    } finally {
      c.endRound();
    }
  }

  /** The chunk's objects as fetched ahead, and the others fetched now. */
  private async fetched(chunk: readonly S3Object[], ahead: ReadonlyMap<S3Object, Promise<Fetched>>): Promise<Fetched[]> {
    const now = this.fetchAll(chunk.filter((o) => !ahead.has(o)));
    let k = 0;
    const rest = await now;
    return Promise.all(chunk.map((o) => ahead.get(o) ?? Promise.resolve(rest[k++]!)));
  }

  /**
   * Every object whole, many GETs in flight, in the order given; a failure is
   * the object's, not the round's. Once `budget` bytes are held, counted as
   * they arrive (a notification's size may be wrong), the objects whose GET
   * would start after are deferred to the next round; none is held over
   * SHARED_OBJECT_MAX.
   */
  private async fetchAll(objects: readonly S3Object[], budget = ROUND_BYTES, wholeMax = SHARED_OBJECT_MAX): Promise<Fetched[]> {
    const out: Fetched[] = new Array(objects.length);
    let next = 0, held = 0;
    const { client, concurrency } = this.opts.s3;
    const worker = async () => {
      for (let k = next++; k < objects.length; k = next++) {
        const o = objects[k]!;
        if (held >= budget) { out[k] = { o, deferred: true }; continue; }
        held += o.size; // reserved as the GET starts, corrected when it ends
        try {
          const bytes = await readS3Object(client, o, { wholeMax });
          held += bytes.length - o.size;
          out[k] = { o, bytes };
        } catch (e) { held -= o.size; out[k] = { o, error: e as Error }; }
      }
    };
    await Promise.all(Array.from({ length: Math.min(objects.length, Math.max(concurrency ?? 0, ROUND_GETS)) }, worker));
    return out;
  }
}

/** The first objects, up to `max` bytes by their notified sizes (at least one): a round's. */
function leadingRun(objects: readonly S3Object[], max: number): S3Object[] {
  let n = 0, bytes = 0;
  while (n < objects.length && (n === 0 || bytes + objects[n]!.size <= max)) bytes += objects[n++]!.size;
  return objects.slice(0, n);
}

/**
 * Whether an object may share a round, as far as its name and notified size
 * tell: not one to stream (over SHARED_OBJECT_MAX), not a blob that grows by
 * appending (replaced every minute, a replay could not read it again as it was).
 */
const mayShare = (o: S3Object): boolean => o.size <= SHARED_OBJECT_MAX && !growsByAppend(o.name);

/** An intent's objects, as storeRound wrote them. */
function parseMembers(members: string): S3Object[] {
  return (JSON.parse(members) as [string, string, string, number][]).map(([bucket, key, etag, size]) => (
    { bucket, key, etag, size, name: `s3://${bucket}/${key}`, identity: `${etag}:${size}` }));
}
