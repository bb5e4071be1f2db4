/**
 * One-shot ingest of a list of objects (a local folder, an S3 prefix): skip
 * what the ledger has -> fetch and decompress ahead, a few at a time -> parse
 * into batches -> store. A corrupt object is quarantined and the run goes on;
 * one the source could not deliver is left unfinished (rows read before the
 * failure stored, the rest for a re-run) and the run goes on too.
 */
import { Committer, DEFAULT_CAPACITY, type BatchEnricher, type StoredBatch } from '../commit/committer.js';
import { FlowlogError } from '../core/errors.js';
import type { FormatPlan } from '../parse/aws/log-format.js';
import type { ObjectBody } from '../decode/stream.js';
import { openRawObjectParser } from '../parse/object-parser.js';
import { listLocalObjects, readLocalObject } from '../sources/local.js';
import { growsByAppend } from '../sources/append-only.js';
import type { FlowStore } from '../store/store.js';
import type { ObjectSource, SourceObjectRef } from '../sources/source.js';
import type { Limits } from '../../schemas/config.js';

export type { ObjectSource, SourceObjectRef } from '../sources/source.js';

export interface IngestProgress { objectsDone: number; objects: number; bytesDone: number; bytes: number; rows: number; rejected: number }

export interface IngestOptions {
  logFormat?: FormatPlan;
  capacity?: number;
  onProgress?: (p: IngestProgress) => void;
  /** After each stored batch: its flows, rejects by reason, how long the store took, its newest flow. */
  onBatch?: (b: StoredBatch) => void;
  enrich?: BatchEnricher;
  /** Rows per insert (the configuration's batch.rows). */
  batchRows?: number;
  /** What the source listed, before the ledger filters it (the S3 poll cursor moves by it). */
  onListed?: (objects: readonly SourceObjectRef[]) => void;
  /** The configuration's limits: line and document sizes (parsers), rejects held per batch (committer). */
  limits?: Partial<Limits>;
  /** Asked before each object: false ends the round there (the poll's lease passed to another instance; what is read is stored). */
  keepGoing?: () => boolean;
  /**
   * Notified objects (SQS), which several consumers may store at once when a
   * notification is delivered twice: each object's batches hold that object
   * alone and are durable before the next object starts, so its batch tokens
   * depend on the object only and the engine keeps one copy of each; an object
   * the source fails mid-way keeps only its full batches (a partial one would
   * not match the other consumer's). The ledger is read for the listed objects only.
   */
  objectAtATime?: boolean;
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
  /** The first notices that are not rejects (unknown fields skipped, ...). */
  warnings: string[];
  /** Objects the source could not deliver (server or network failed past retries): not marked done, a re-run resumes them. */
  unfinished: { object: string; reason: string }[];
}

const READ_AHEAD = 2;
const MAX_WARNINGS = 20;

export function ingestPath(store: FlowStore, root: string, opts: IngestOptions = {}): Promise<IngestSummary> {
  return ingestObjects(store, { kind: 'local', list: () => listLocalObjects(root), fetch: readLocalObject }, opts);
}

export async function ingestObjects<O extends SourceObjectRef>(store: FlowStore, source: ObjectSource<O>, opts: IngestOptions = {}): Promise<IngestSummary> {
  const t0 = performance.now();
  const progress: IngestProgress = { objectsDone: 0, objects: 0, bytesDone: 0, bytes: 0, rows: 0, rejected: 0 };
  const committer = new Committer(store, {
    sourceKind: source.kind,
    capacity: opts.capacity ?? opts.batchRows ?? DEFAULT_CAPACITY,
    ...(opts.enrich ? { enrich: opts.enrich } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    onStored: (b) => { progress.rows += b.rows; progress.rejected += b.rejected; opts.onBatch?.(b); opts.onProgress?.(progress); },
  });
  const all = await source.list();
  opts.onListed?.(all);
  const ledger = await committer.progress(source.kind, opts.objectAtATime ? all.map((o) => o.name) : undefined);
  const todo: { obj: O; skipRows: number }[] = [];
  let skipped = 0, resumed = 0;
  const warnings: string[] = [];
  const unfinished: IngestSummary['unfinished'] = [];
  for (const obj of all) {
    const seen = ledger.get(obj.name);
    if (seen && seen.identity === obj.identity) {
      if (seen.complete) { skipped++; continue; }
      resumed++;
      todo.push({ obj, skipRows: seen.storedRows });
    } else if (seen && seen.storedRows > 0 && growsByAppend(obj.name)) {
      resumed++; // a newer version of an object that grows by appending: its stored rows are its first rows
      todo.push({ obj, skipRows: seen.storedRows });
    } else {
      todo.push({ obj, skipRows: 0 });
    }
  }
  progress.objects = todo.length;
  progress.bytes = todo.reduce((a, t) => a + t.obj.size, 0);
  type Loaded = { data: ObjectBody | null; error: Error | null };
  const readAhead = source.readAhead ?? READ_AHEAD;
  // read-ahead holds objects as fetched (compressed, or the first megabytes of a stream); each is decompressed while it is parsed
  const load = (o: O): Promise<Loaded> => source.fetch(o).then(
    (data) => ({ data, error: null }),
    (error: Error) => ({ data: null, error }),
  );
  const ahead = todo.slice(0, readAhead).map((t) => load(t.obj));
  for (let i = 0; i < todo.length; i++) {
    if (opts.keepGoing && !opts.keepGoing()) break;
    const { obj, skipRows } = todo[i]!;
    const loaded = await ahead[i]!;
    if (i + readAhead < todo.length) ahead.push(load(todo[i + readAhead]!.obj));
    ahead[i] = Promise.resolve({ data: null, error: null }); // let the buffer go
    // an object that cannot be read, decompressed or opened (corrupt Parquet) is quarantined whole and marked done;
    // one the source could not deliver (server or network down) is left unfinished for a re-run
    const parser = loaded.data ? await openRawObjectParser(obj.name, loaded.data, opts).catch((e: Error) => e) : (loaded.error ?? new Error('unreadable'));
    if (FlowlogError.is(parser, 'SOURCE_UNAVAILABLE')) {
      unfinished.push({ object: obj.name, reason: parser.message });
    } else if (parser instanceof Error) {
      await committer.quarantineObject({ name: obj.name, identity: obj.identity, kind: source.kind }, parser);
    } else {
      try {
        await committer.ingestObject({ name: obj.name, identity: obj.identity }, parser, skipRows);
        if (opts.objectAtATime) await committer.finish();
      } catch (e) {
        if (!FlowlogError.is(e, 'SOURCE_UNAVAILABLE')) throw e;
        if (opts.objectAtATime) await committer.discard(); // only the object's full batches stay (the previous objects are durable)
        unfinished.push({ object: obj.name, reason: e.message }); // what was read is stored with the next batch, unfinished
      }
      for (const w of parser.warnings ?? []) if (warnings.length < MAX_WARNINGS) warnings.push(w);
    }
    progress.objectsDone++;
    progress.bytesDone += obj.size;
    opts.onProgress?.(progress);
  }
  await committer.finish();
  opts.onProgress?.(progress);
  return {
    objects: todo.length, skipped, resumed, warnings, unfinished,
    rows: committer.stats.rows, rejected: progress.rejected,
    bytes: progress.bytes,
    seconds: (performance.now() - t0) / 1000,
    insertSeconds: committer.stats.insertMs / 1000,
  };
}
