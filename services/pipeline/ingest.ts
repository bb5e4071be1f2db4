/**
 * One-shot ingest of a list of objects (a local folder, an S3 prefix): skip
 * what the ledger has -> fetch and decompress ahead, a few at a time -> parse
 * into batches -> store. A corrupt object is quarantined and the run goes on;
 * one the source could not deliver is left unfinished (rows read before the
 * failure stored, the rest for a re-run) and the run goes on too.
 */
import { Committer, DEFAULT_CAPACITY, type BatchEnricher, type StoredBatch } from '../commit/committer.js';
import { pendingBatches, wholeLedgerIfFew } from '../commit/ledger-reads.js';
import { FlowlogError, httpStatusOf } from '../core/errors.js';
import type { FormatPlan } from '../parse/aws/log-format.js';
import type { ObjectBody } from '../decode/stream.js';
import { decodeSmallObject } from '../decode/gzip.js';
import { openAnyObjectParser, openRawObjectParser, type ObjectParser } from '../parse/object-parser.js';
import { localSource, localStream } from '../sources/local.js';
import { growsByAppend } from '../sources/append-only.js';
import type { FlowStore, ObjectProgress } from '../store/store.js';
import { ReadAhead } from './read-ahead.js';
import { replayPlan, type ReplayItem } from './replay-plan.js';
import type { ObjectSource, SourceObjectRef } from '../sources/source.js';
import type { Limits } from '../../schemas/config.js';

export type { ObjectSource, SourceObjectRef } from '../sources/source.js';

/**
 * `objects` and `bytes` grow as the listing arrives, a page at a time; `listed`
 * says they are the whole run's (the last page is in), so a share of them means something.
 */
export interface IngestProgress { objectsDone: number; objects: number; bytesDone: number; bytes: number; rows: number; rejected: number; listed: boolean }

export interface IngestOptions {
  logFormat?: FormatPlan;
  capacity?: number;
  onProgress?: (p: IngestProgress) => void;
  /** After each stored batch: its flows, rejects by reason, how long the store took, its newest flow. */
  onBatch?: (b: StoredBatch) => void;
  enrich?: BatchEnricher;
  /** Rows per insert (the configuration's batch.rows). */
  batchRows?: number;
  /** What the source listed, page by page, before the ledger filters it (the S3 poll cursor moves by it). */
  onListed?: (objects: readonly SourceObjectRef[]) => void;
  /** The configuration's limits: line and document sizes (parsers), rejects held per batch (committer). */
  limits?: Partial<Limits>;
  /** Asked before each object: false ends the round there (the poll's lease passed to another instance; what is read is stored). */
  keepGoing?: () => boolean;
  /**
   * Where batches are cut (see sharedWriterCuts below). 'shared' (the
   * default): small objects share batches, one insert for many. 'per-object':
   * another writer may store these objects too, from a listing of its own (a
   * leased S3 poll whose lease passes to a standby, notified objects that two
   * SQS consumers receive at once): each object's rows go into batches of
   * their own, so their tokens depend on the object alone and the engine keeps
   * one copy of each, and an object the source fails mid-way keeps only its
   * full batches (the other writer's cut).
   */
  batchCuts?: 'shared' | 'per-object';
  /**
   * The listing is read whole first, before any object, and the ledger for the
   * listed objects only, never the whole kind: for rounds of a few objects each
   * (an SQS receive's notifications).
   */
  ledgerForListedOnly?: boolean;
  /**
   * The listing's name in the ledger (`flowlog ingest` of a folder or prefix):
   * each batch writes its segments ahead under it, and a restart stores the
   * batches left pending again from them, exactly, before it lists anything
   * (replay-plan.ts). Needs a source that can name an object back (ref).
   */
  stream?: string;
}

export interface IngestSummary {
  objects: number;
  skipped: number;
  resumed: number;
  rows: number;
  rejected: number;
  bytes: number;
  seconds: number;
  insertSeconds: number;
  /**
   * start_time of the earliest and the latest flow one ingestObjects run stored: the window `flowlog ingest`'s summary
   * reads (absent when it stored none). Rounds that add parts together (addSummary) leave it out: their rows come from more than one committer.
   */
  flowsSpan?: { from: Date; to: Date };
  /** The first notices that are not rejects (unknown fields skipped, ...). */
  warnings: string[];
  /** Objects the source could not deliver (server or network failed past retries): not marked done, a re-run resumes them. */
  unfinished: { object: string; reason: string }[];
  /** keepGoing ended the round before the end of its listing: the objects after it were not tried. */
  stoppedEarly?: true;
  /** Blobs that grow by appending, replaced before they were read (412): unfinished too, nothing recorded; a newer version is on its way. */
  superseded?: string[];
}

/** A summary of nothing yet: what a round adds to. */
export const emptySummary = (): IngestSummary => ({ objects: 0, skipped: 0, resumed: 0, rows: 0, rejected: 0, bytes: 0, seconds: 0, insertSeconds: 0, warnings: [], unfinished: [] });

/** Adds `a` (a part of the round: its time is not the round's) into `s`. */
export function addSummary(s: IngestSummary, a: IngestSummary): void {
  s.objects += a.objects; s.skipped += a.skipped; s.resumed += a.resumed; s.rows += a.rows; s.rejected += a.rejected; s.bytes += a.bytes;
  s.insertSeconds += a.insertSeconds; s.unfinished.push(...a.unfinished);
  for (const w of a.warnings) if (s.warnings.length < 20) s.warnings.push(w);
  if (a.superseded) s.superseded = [...(s.superseded ?? []), ...a.superseded];
  if (a.stoppedEarly) s.stoppedEarly = true;
}

/** A source's read-ahead, unless it sets its own: files above 64 KB are read on the thread pool while the parser works (smaller ones are read on the spot, sources/local.ts). */
const READ_AHEAD = 16;
const READ_AHEAD_BYTES = 16 << 20;
/** What one streamed object holds ahead (its window), for the byte budget. */
const STREAM_COST = 4 << 20;
/** Objects whose bytes arrive whole and decode to at most this are inflated ahead, in one call each. */
const SMALL_DECODED = 4 << 20;
const MAX_WARNINGS = 20;
/**
 * Up to this many objects of a kind, the ledger is read whole at the start (~10 MB); past it, a page at a
 * time. Per page, a lookup may wait for an insert (the engine runs one statement at a time): S3 behind
 * 20 ms, 20,000 objects in pages of 1000, ran 3-6% slower that way.
 */
const WHOLE_LEDGER_UP_TO = 50_000;

async function allPages<T>(pages: AsyncIterable<readonly T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const p of pages) all.push([...p]);
  return all;
}

/** A folder or file: its batches written ahead under the folder's absolute path. */
export function ingestPath(store: FlowStore, root: string, opts: IngestOptions = {}): Promise<IngestSummary> {
  return ingestObjects(store, localSource(root), { stream: localStream(root), ...opts });
}

/*
 * sharedWriterCuts (batchCuts: 'per-object'). A batch's token is the hash of
 * what it holds (commit/committer.ts), and a replay of a batch must compose the
 * same batch or store its rows twice. SQS consumers are such writers at once:
 * S3 and SQS deliver at least once, so two receives may name one object, each
 * beside other objects. With several instances on one prefix a replay lists
 * the prefix anew: the standby that took the lease after the holder died
 * between a batch's rows and its ledger row, or one that took it while the
 * holder, too slow to renew, was still storing. Its listing may hold objects
 * the holder's did not (arrived since, or sorting between the ones it had),
 * and the holder may have ended its round early (keepGoing): a batch that ran
 * from one object into the next, or that the round's end cut short, would be
 * cut differently (an object stored twice under load, the failure this
 * prevents). Within one object the cuts depend on its rows alone (capacity,
 * reject caps), counted from 0 or from a row where an earlier batch of the same
 * cutting ended (the ledger's resume point, whoever wrote it): so every writer,
 * in any interleaving and from any listing, cuts the same batches of an object,
 * and the engine keeps one copy of each. Rows read before a source failure are
 * not stored (the failing writer's cut is not the other's). No fencing is
 * needed, as a late write by a lapsed holder is one of those same batches.
 * Nor need an object be durable before the next one starts (the cut alone
 * makes the tokens; a crash mid-way resumes each object after its last ledger
 * row, and an SQS message is deleted only when the ledger, read after the
 * round's last batch is durable, has every object it names).
 * The price is an insert per object: a poll catching up on many small objects
 * is several times slower than one that shares batches.
 * Without other writers small objects share batches (one insert for many).
 * With a `stream`, each batch writes its segments ahead, and a restart stores
 * the batches left pending again from them before it lists anything
 * (replay-plan.ts); without one, a restart replays the batch in flight only if
 * its listing, from the resume point to that batch's end, is the crashed run's.
 */

/**
 * An object fetched whole, opened as a run opens it: inflated in one call when
 * small, else decoded as it is parsed. Throws what a corrupt object throws
 * (the caller quarantines it).
 */
export async function openFetched(name: string, data: Buffer, opts: IngestOptions): Promise<ObjectParser> {
  const decoded = await decodeSmallObject(data, SMALL_DECODED);
  return decoded ? openAnyObjectParser(name, decoded, opts) : openRawObjectParser(name, data, opts);
}

/** A blob that grows by appending, replaced since it was listed or notified (S3's 412): nothing to store or record. */
function superseded(name: string, e: unknown): boolean {
  return httpStatusOf(e) === 412 && growsByAppend(name);
}

/** An object of a batch left pending that cannot be read again now: the run stops, and the next tries the batch again. */
function replayFailed(e: Error, name?: string): FlowlogError {
  return new FlowlogError('SOURCE_UNAVAILABLE', `a batch in flight when an earlier run stopped cannot be read again now${name ? ` (${name})` : ''}: ${e.message}`,
    'run the same command again once the source answers: that batch is stored first, as it was', { cause: e });
}

/** An object as fetched ahead: decoded already when it was small, else as the source gave it. */
type Loaded = { data: ObjectBody | null; decoded: Buffer | null; error: Error | null };

export async function ingestObjects<O extends SourceObjectRef>(store: FlowStore, source: ObjectSource<O>, opts: IngestOptions = {}): Promise<IngestSummary> {
  const t0 = performance.now();
  const progress: IngestProgress = { objectsDone: 0, objects: 0, bytesDone: 0, bytes: 0, rows: 0, rejected: 0, listed: false };
  const perObject = opts.batchCuts === 'per-object';
  const wa = opts.stream && !perObject && source.ref ? await pendingBatches(store, source.kind, opts.stream) : null;
  // the batches left pending, stored again first, exactly; null when they cannot be read again as they were,
  // empty when their rows were stored since through another listing
  const replay = wa?.pending.length
    ? await replayPlan(source, wa.pending, (names) => store.ledgerState(source.kind, names)).catch((e: Error) => { throw replayFailed(e); })
    : null;
  const committer = new Committer(store, {
    ...(wa ? { writeAhead: { stream: opts.stream!, next: wa.next, ...(replay?.length ? { replay: wa.pending } : {}) } } : {}),
    sourceKind: source.kind,
    capacity: opts.capacity ?? opts.batchRows ?? DEFAULT_CAPACITY,
    ...(opts.enrich ? { enrich: opts.enrich } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    onStored: (b) => { progress.rows += b.rows; progress.rejected += b.rejected; opts.onBatch?.(b); opts.onProgress?.(progress); },
  });
  // batches that will not be stored again are closed, so a later run's pending ones are its own
  if (wa?.pending.length && !replay?.length) await committer.closeBatches(wa.pending.at(-1)!.n);
  // a round of a few objects (an SQS receive): listed whole first
  const pages = opts.ledgerForListedOnly ? await allPages(source.list()) : null;
  // the ledger: read once when the kind holds few objects (one query, and no lookup queued behind an insert
  // later), else a page at a time, as each page arrives: never every object of a long history in memory
  const known = pages ? null : await wholeLedgerIfFew(store, source.kind, WHOLE_LEDGER_UP_TO);
  const ledgerFor = (page: readonly O[]): Promise<ReadonlyMap<string, ObjectProgress>> =>
    known ? Promise.resolve(known) : page.length === 0 ? Promise.resolve(new Map()) : committer.progress(source.kind, page.map((o) => o.name));
  let skipped = 0, resumed = 0;
  const warnings: string[] = [];
  const unfinished: IngestSummary['unfinished'] = [];
  const replaced: string[] = [];
  // what is left to do, as the listing arrives: nothing holds the whole listing. The next page is asked for while
  // this one's objects go, so the progress totals are whole (listed) as soon as the last page is in, not after its
  // last object: a file, or a folder of files, shows its share from the start; a tree of folders (pages of files across folders) once
  // its last folder is listed. The summary counts what was tried (a round stopped early did not try the rest).
  let tried = 0, triedBytes = 0;
  const plan = (obj: O, ledger: ReadonlyMap<string, ObjectProgress>): { skip: boolean; resume: boolean; skipRows: number } => {
    const seen = ledger.get(obj.name);
    if (seen && seen.identity === obj.identity) return seen.complete ? { skip: true, resume: false, skipRows: 0 } : { skip: false, resume: true, skipRows: seen.storedRows };
    // a newer version of an object that grows by appending: its stored rows are its first rows
    if (seen && seen.storedRows > 0 && growsByAppend(obj.name)) return { skip: false, resume: true, skipRows: seen.storedRows };
    return { skip: false, resume: false, skipRows: 0 };
  };
  if (wa?.pending.length && !replay) {
    warnings.push(`${wa.pending.length} batch(es) in flight when an earlier run stopped could not be read again as they were (an object of theirs changed, is gone, or failed mid-way): their rows may be stored twice`);
  }
  const replayed = new Set(replay?.map((r) => r.obj.name));
  async function* todo(): AsyncGenerator<{ obj: O; skipRows: number; resume: boolean; cuts?: ReplayItem<O>['cuts'] }> {
    for (const r of replay ?? []) {
      progress.objects++; progress.bytes += r.obj.size; tried++; triedBytes += r.obj.size;
      if (r.skipRows > 0) resumed++;
      yield r;
    }
    const listing: AsyncIterable<readonly O[]> = pages ? (async function* () { yield* pages; })() : source.list();
    const it = listing[Symbol.asyncIterator]();
    // a page's ledger lookup starts as the page arrives (a page ahead, while the page before is stored)
    // listed: the listing has ended and every page's objects are in the totals (a page waits for its ledger lookup)
    let ended = false, uncounted = 0, closed = false;
    const ask = () => {
      const next = it.next();
      next.then((r) => { if (r.done) { ended = true; progress.listed = uncounted === 0; } else uncounted++; }, () => undefined);
      const out = next.then((r) => {
        if (r.done || closed) return null; // a page that arrives after the run ended is not looked up (the store may be closed)
        const ledger = ledgerFor(r.value);
        ledger.catch(() => undefined); // a page asked ahead and never reached: its lookup's failure is not this run's
        return { page: r.value, ledger };
      });
      // handled now: a page that fails while this one's objects go fails the run at its turn (the await below),
      // and is no unhandled rejection meanwhile
      out.catch(() => undefined);
      return out;
    };
    let following = ask();
    try {
      for (let r = await following; r; r = await following) {
        const page = r.page;
        following = ask();
        opts.onListed?.(page);
        const ledger = await r.ledger;
        // what the replay stored is not in the ledger read before it
        const work = (replayed.size ? page.filter((obj) => !replayed.has(obj.name)) : page).map((obj) => ({ obj, ...plan(obj, ledger) }));
        for (const w of work) if (!w.skip) { progress.objects++; progress.bytes += w.obj.size; }
        if (--uncounted === 0 && ended) progress.listed = true;
        for (const w of work) {
          if (w.skip) { skipped++; continue; }
          if (w.resume) resumed++;
          tried++;
          triedBytes += w.obj.size;
          yield { obj: w.obj, skipRows: w.skipRows, resume: w.resume };
        }
      }
    } finally {
      closed = true;
      // a page asked for and never used: its failure is not this run's; the listing closes once it is in (not awaited:
      // a stopped round does not wait for one more page)
      following.catch(() => undefined);
      void it.return?.().catch(() => undefined);
    }
  }
  // read-ahead holds objects as fetched (small ones decoded already, large ones the first megabytes of a stream)
  const load = async (o: O): Promise<Loaded> => {
    try {
      const data = await source.fetch(o);
      const decoded = Buffer.isBuffer(data) ? await decodeSmallObject(data, SMALL_DECODED) : null;
      return { data: decoded ? null : data, decoded, error: null };
    } catch (error) {
      return { data: null, decoded: null, error: error as Error };
    }
  };
  const ahead = new ReadAhead(todo(), (t) => load(t.obj), (t) => Math.min(t.obj.size, STREAM_COST), {
    maxItems: source.readAhead ?? READ_AHEAD,
    maxBytes: source.readAheadBytes ?? READ_AHEAD_BYTES,
  });
  let stoppedEarly = false;
  try {
    for (let next = await ahead.next(); next; next = await ahead.next()) {
      if (opts.keepGoing && !opts.keepGoing()) { stoppedEarly = true; break; }
      const { obj, skipRows, resume, cuts } = next.item;
      const loaded = await next.loaded;
      // an object that cannot be read, decompressed or opened (corrupt Parquet) is quarantined whole and marked done;
      // one the source could not deliver (server or network down) is left unfinished for a re-run
      const parser = loaded.decoded ? await openAnyObjectParser(obj.name, loaded.decoded, opts).catch((e: Error) => e)
        : loaded.data ? await openRawObjectParser(obj.name, loaded.data, opts).catch((e: Error) => e)
          : (loaded.error ?? new Error('unreadable'));
      // a batch stored again must be read as it was: a source that cannot deliver now ends the run, and the next one tries
      // again; what fails for good (gone, corrupt) goes its usual way, and the committer finds the batch cut differently
      if (cuts && FlowlogError.is(parser, 'SOURCE_UNAVAILABLE')) throw replayFailed(parser, obj.name);
      if (FlowlogError.is(parser, 'SOURCE_UNAVAILABLE')) {
        unfinished.push({ object: obj.name, reason: parser.message });
      } else if (superseded(obj.name, parser)) {
        // nothing to store or record for this version (a row would hide what is stored of the blob): its newer version is
        // read by the next run or poll, or on its own notification; unfinished, so a one-shot run says to run again
        unfinished.push({ object: obj.name, reason: `${obj.name}: replaced while it was read (412): its newer version is read by the next run` });
        replaced.push(obj.name);
      } else if (parser instanceof Error) {
        await committer.quarantineObject({ name: obj.name, identity: obj.identity, kind: source.kind }, parser);
      } else {
        try {
          await committer.ingestObject({ name: obj.name, identity: obj.identity }, parser, skipRows, resume, cuts);
          if (perObject) await committer.flush(); // sharedWriterCuts: the object's last batch ends with it
        } catch (e) {
          if (!FlowlogError.is(e, 'SOURCE_UNAVAILABLE')) throw e;
          if (cuts) throw replayFailed(e, obj.name);
          if (perObject) committer.dropPending(); // only its full batches stay (the objects before it are flushed)
          unfinished.push({ object: obj.name, reason: e.message }); // what was read is stored with the next batch, unfinished
        }
        for (const w of parser.warnings ?? []) if (warnings.length < MAX_WARNINGS) warnings.push(w);
      }
      progress.objectsDone++;
      progress.bytesDone += obj.size;
      opts.onProgress?.(progress);
    }
  } catch (e) {
    // nothing left writing behind a failure (a listing page that failed, a store that refused): the caller may close
    // the store at once, and the engine would otherwise still be inserting the batches in flight; the read-ahead
    // stops first, so it fetches nothing more meanwhile
    await ahead.close();
    await committer.discard();
    throw e;
  }
  await ahead.close();
  await committer.finish();
  opts.onProgress?.(progress);
  return {
    objects: tried, skipped, resumed, warnings: [...warnings, ...committer.replayMismatches].slice(0, MAX_WARNINGS), unfinished, ...(stoppedEarly ? { stoppedEarly } : {}), ...(replaced.length ? { superseded: replaced } : {}),
    rows: committer.stats.rows, rejected: progress.rejected,
    bytes: triedBytes,
    seconds: (performance.now() - t0) / 1000,
    insertSeconds: committer.stats.insertMs / 1000,
    ...(committer.stats.firstStart <= committer.stats.lastStart
      ? { flowsSpan: { from: new Date(committer.stats.firstStart), to: new Date(committer.stats.lastStart) } } : {}),
  };
}
