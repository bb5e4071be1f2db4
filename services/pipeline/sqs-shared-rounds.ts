/**
 * SQS rounds on the embedded store: the objects of a round share batches (one
 * insert for many small objects), and the round's composition is written
 * ahead, so a restart stores it again exactly.
 *
 * Why this is safe here and not on a server: a batch's dedup token is the hash
 * of the object segments it holds (commit/committer.ts), so a second writer of
 * the same object must cut the same batches, which per-object batches
 * guarantee and shared ones do not. The embedded store has one writer: its
 * data directory belongs to one process, and in that process rounds take turns
 * (store-turn.ts), each choosing its objects from the ledger as its turn
 * begins. What remains is a crash, or a failed insert, mid-round: the
 * messages come back and would make a round of a different composition.
 *
 * The write-ahead: a round's objects are fetched whole first (those S3 cannot
 * deliver now are left for their message's next delivery), then, before its
 * first insert, its intent is written: one ledger row (kind sqs, the queue's
 * stream, its round number) whose identity lists its objects in order. After
 * its last batch and ledger rows a stored mark follows. A stream's next round
 * starts only when the one before is marked stored: a round that failed, or
 * the last intent of a process that died, is replayed first, its objects
 * fetched again and parsed in the same order into the same batches with the
 * same tokens, so the engine drops what had landed. The messages then find
 * their objects stored and are deleted.
 *
 * Objects too large to hold whole, or partly stored before (another path
 * resumes them after their last batch), go in batches of their own.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Committer, type Round } from '../commit/committer.js';
import { latestRound } from '../commit/ledger-reads.js';
import { FlowlogError } from '../core/errors.js';
import { RejectBatch } from '../core/rejects.js';
import { readS3Object } from '../sources/s3/s3-body.js';
import { notThere } from '../sources/s3/s3-notification.js';
import type { S3Object } from '../sources/s3/s3-source.js';
import type { FlowStore } from '../store/store.js';
import { EVENTS } from '../telemetry/event-names.js';
import type { Logger } from '../telemetry/log.js';
import { openFetched, type IngestOptions, type IngestSummary } from './ingest.js';
import { storeTurn } from './store-turn.js';

/** Objects above this are streamed in batches of their own: they fill inserts alone, and are not held whole. */
export const SHARED_OBJECT_MAX = 8 << 20;
/** Bytes of objects (as fetched) a round holds at once; more make several rounds. */
const ROUND_BYTES = 32 << 20;
/** GETs in flight for a round's objects, at least (small objects: latency, not bandwidth, is the cost). */
const ROUND_GETS = 128;

export interface SharedRoundsOptions {
  /** The queue's stream in the ledger (sqs://account/queue): its rounds are numbered there. */
  stream: string;
  s3: { client: S3Client; concurrency?: number };
  ingest: IngestOptions;
  log: Logger;
  /** Objects stored in batches of their own (large, or partly stored already). */
  perObject(objects: S3Object[]): Promise<IngestSummary>;
}

type Fetched = { o: S3Object; bytes: Buffer } | { o: S3Object; error: Error };

export class SharedRounds {
  /** One batch buffer for every round of this source (rounds run one at a time). */
  private readonly committer: Committer;
  private summary!: IngestSummary;

  constructor(private readonly store: FlowStore, private readonly opts: SharedRoundsOptions) {
    const { ingest } = opts;
    this.committer = new Committer(store, {
      sourceKind: 's3', capacity: ingest.capacity ?? ingest.batchRows,
      ...(ingest.enrich ? { enrich: ingest.enrich } : {}), ...(ingest.limits ? { limits: ingest.limits } : {}),
      onStored: (b) => { this.summary.rejected += b.rejected; ingest.onBatch?.(b); },
    });
  }

  /**
   * Stores the objects (each named once) that the ledger does not have yet, in
   * this store's turn. Their first round's objects are fetched before the turn,
   * while the round before is being stored: a notification names a new object,
   * so the ledger will not skip it but for a delivery repeated.
   */
  storeObjects(objects: readonly S3Object[]): Promise<IngestSummary> {
    const [early] = byBytes(objects.filter((o) => o.size <= SHARED_OBJECT_MAX), ROUND_BYTES);
    const ahead = new Map<S3Object, Promise<Fetched>>();
    if (early) {
      const all = this.fetchAll(early);
      early.forEach((o, i) => ahead.set(o, all.then((r) => r[i]!)));
    }
    return storeTurn(this.store).run(() => this.inTurn(objects, ahead));
  }

  private async inTurn(objects: readonly S3Object[], ahead: ReadonlyMap<S3Object, Promise<Fetched>>): Promise<IngestSummary> {
    const t0 = performance.now();
    const turn = storeTurn(this.store), { stream } = this.opts;
    const s: IngestSummary = this.summary = { objects: 0, skipped: 0, resumed: 0, rows: 0, rejected: 0, bytes: 0, seconds: 0, insertSeconds: 0, warnings: [], unfinished: [] };
    const rows0 = this.committer.stats.rows, ms0 = this.committer.stats.insertMs;
    try {
      let n = turn.next.get(stream) ?? await this.recover();
      turn.next.set(stream, n);
      const ledger = await this.store.ledgerState('s3', objects.map((o) => o.name));
      const shared: S3Object[] = [], alone: S3Object[] = [];
      for (const o of objects) {
        const p = ledger.get(o.name);
        if (p?.identity === o.identity && p.complete) { s.skipped++; continue; }
        (o.size > SHARED_OBJECT_MAX || (p?.identity === o.identity && p.storedRows > 0) ? alone : shared).push(o);
      }
      for (const chunk of byBytes(shared, ROUND_BYTES)) {
        const fetched = await this.fetched(chunk, ahead);
        const members: { o: S3Object; bytes: Buffer }[] = [];
        for (const f of fetched) {
          if ('bytes' in f) { members.push(f); continue; }
          s.objects++; s.bytes += f.o.size;
          if (FlowlogError.is(f.error, 'SOURCE_UNAVAILABLE')) s.unfinished.push({ object: f.o.name, reason: f.error.message });
          else await this.committer.quarantineObject({ name: f.o.name, identity: f.o.identity, kind: 's3' }, f.error); // replaced since notified (412)
        }
        if (members.length === 0) continue;
        await this.storeRound(n, members, false);
        turn.next.set(stream, ++n);
      }
      if (alone.length > 0) {
        const a = await this.opts.perObject(alone);
        s.objects += a.objects; s.skipped += a.skipped; s.resumed += a.resumed; s.rows += a.rows; s.rejected += a.rejected; s.bytes += a.bytes;
        s.insertSeconds += a.insertSeconds; s.warnings.push(...a.warnings); s.unfinished.push(...a.unfinished);
      }
    } catch (e) {
      // what this stream's next round is, and whether a round is pending, the ledger says: read it again then
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
    const last = await latestRound(this.store, 'sqs', this.opts.stream);
    if (!last) return 0;
    if (last.pending !== null) await this.replay(last.n, last.pending);
    return last.n + 1;
  }

  private async replay(n: number, members: string): Promise<void> {
    const objects = parseMembers(members);
    this.opts.log.info(EVENTS.sqsRoundReplayed, { stream: this.opts.stream, round: n, objects: objects.length });
    const fetched = await this.fetchAll(objects);
    const again: { o: S3Object; bytes: Buffer }[] = [];
    for (const f of fetched) {
      if ('bytes' in f) { again.push(f); continue; }
      // S3 down: the replay waits for it (the source retries with backoff); gone or replaced: it cannot be read as it was
      if (FlowlogError.is(f.error, 'SOURCE_UNAVAILABLE')) throw f.error;
      this.opts.log.warn(EVENTS.sqsReplayMismatch, { stream: this.opts.stream, round: n, object: f.o.name, reason: f.error.message,
        hint: 'the round\'s later batches are cut without it: rows they stored before the crash may be stored twice' });
    }
    await this.storeRound(n, again, true);
  }

  /** One round: its intent (unless replayed), its objects in order into shared batches, its stored mark. */
  private async storeRound(n: number, members: readonly { o: S3Object; bytes: Buffer }[], replay: boolean): Promise<void> {
    const s = this.summary;
    const round: Round = { kind: 'sqs', stream: this.opts.stream, first: n, end: n + 1, members: JSON.stringify(members.map(({ o }) => [o.bucket, o.key, o.etag, o.size])) };
    const c = this.committer;
    if (!replay) c.beginRound(round); // written before the round's first insert
    try {
      for (const { o, bytes } of members) {
        s.objects++; s.bytes += o.size;
        const parser = await openFetched(o.name, bytes, this.opts.ingest).catch((e: unknown) => e as Error);
        if (parser instanceof Error) { await c.quarantineObject({ name: o.name, identity: o.identity, kind: 's3' }, parser); continue; }
        await c.ingestObject({ name: o.name, identity: o.identity, kind: 's3' }, parser);
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

  /** Every object whole, many GETs in flight, in the order given; a failure is the object's, not the round's. */
  private async fetchAll(objects: readonly S3Object[]): Promise<Fetched[]> {
    const out: Fetched[] = new Array(objects.length);
    let next = 0;
    const { client, concurrency } = this.opts.s3;
    const worker = async () => {
      for (let k = next++; k < objects.length; k = next++) {
        const o = objects[k]!;
        try { out[k] = { o, bytes: await readS3Object(client, o) }; } catch (e) { out[k] = { o, error: notThere(o, e) as Error }; }
      }
    };
    await Promise.all(Array.from({ length: Math.min(objects.length, Math.max(concurrency ?? 0, ROUND_GETS)) }, worker));
    return out;
  }
}

/** Objects in runs of at most `max` bytes (an object larger alone is a run of its own). */
function* byBytes(objects: readonly S3Object[], max: number): Generator<S3Object[]> {
  let run: S3Object[] = [], bytes = 0;
  for (const o of objects) {
    if (run.length > 0 && bytes + o.size > max) { yield run; run = []; bytes = 0; }
    run.push(o);
    bytes += o.size;
  }
  if (run.length > 0) yield run;
}

/** An intent's objects, as storeRound wrote them. */
function parseMembers(members: string): S3Object[] {
  return (JSON.parse(members) as [string, string, string, number][]).map(([bucket, key, etag, size]) => (
    { bucket, key, etag, size, name: `s3://${bucket}/${key}`, identity: `${etag}:${size}` }));
}
