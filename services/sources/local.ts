/**
 * A file or a folder (recursively) laid out like S3 / Azure blob storage.
 * Objects are listed in path order: the time-ordered key layouts then give
 * time order, and a re-run visits objects in the same order (which the
 * batcher's replay-safe tokens rely on). The listing is handed out up to
 * 5,000 files at a time, so a backfill of a million files never holds all
 * their names.
 */
import { close, closeSync, createReadStream, open, openSync, read, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FlowlogError } from '../core/errors.js';
import { BufferSlab } from './buffer-slab.js';

export interface LocalObject { name: string; path: string; size: number; identity: string }

/** A file as listed: its identity (size and modification time) changes when its content does. */
const localObject = (path: string, s: { size: number; mtimeMs: number }): LocalObject => ({ name: path, path, size: s.size, identity: `${s.size}:${Math.trunc(s.mtimeMs)}` });

/** Marker and metadata files, hidden files and our own data folder are not flow logs. */
const skipName = (n: string): boolean => n.startsWith('.') || n.startsWith('_') || n === 'manifest.json';

/** The objects under `root`, in path order, up to `pageFiles` files at a time. */
export async function* listLocalPages(root: string, pageFiles = PAGE): AsyncGenerator<LocalObject[]> {
  const abs = resolve(root);
  let st;
  try { st = await stat(abs); } catch {
    throw new FlowlogError('SOURCE_NOT_FOUND', `no such file or folder: ${root}`, 'pass a flow log file or a folder of them (e.g. one written by `flowlog generate`)');
  }
  if (st.isFile()) { yield [localObject(abs, st)]; return; }
  // files in path order, in pages of up to pageFiles across folders: a page is one ledger lookup in the ingest, and
  // blob layouts give each object a folder of its own (Azure: .../h=13/m=00/macAddress=.../PT1H.json)
  let files: string[] = [];
  // stat on the spot: a few microseconds for a file the folder's listing just touched, where a thread-pool
  // round trip per file cost several times that in CPU (measured ~4x for 10k files)
  const flush = (): LocalObject[] => {
    const out: LocalObject[] = [];
    for (const p of files) {
      const s = statSync(p, { throwIfNoEntry: false }); // gone since its folder was read: not listed
      if (s && s.size > 0) out.push(localObject(p, s));
    }
    files = [];
    return out;
  };
  function* walk(dir: string): Generator<LocalObject[]> {
    // read on the spot, like the stat above: a thread-pool round trip per folder, one after another, left the
    // parser waiting (~1 s of 3.3 for 9.5k Azure blobs, measured)
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (skipName(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) yield* walk(p);
      else if (e.isFile()) {
        files.push(p);
        if (files.length >= pageFiles) yield flush();
      }
    }
  }
  yield* walk(abs);
  if (files.length) yield flush();
}

/**
 * Files per listing page. The ingest reads the ledger for a page at a time, and the engine runs one
 * statement at a time, so a lookup may wait for an insert: at 1000 files a page the Azure mix (9,484 blobs)
 * ran ~6% slower than one lookup for the whole kind; at 5000 it is within the noise.
 */
const PAGE = 5000;

/** Every object under `root`, in path order (tests, small folders). */
export async function listLocalObjects(root: string): Promise<LocalObject[]> {
  const out: LocalObject[] = [];
  for await (const page of listLocalPages(root)) out.push(...page);
  return out;
}

/** Files above this are read as they are parsed, a window at a time, never whole (a 10 GB log costs one window). */
const STREAM_ABOVE = 4 << 20;

const slab = new BufferSlab();

/** Files up to this are read on the spot (open, read, close on this thread); larger ones on the thread pool. */
const ON_THE_SPOT = 64 << 10;

/**
 * A file of the size it was listed with, read whole: open, one read, close
 * (no stat: the listing has the size). Bytes past the listed size mean it
 * grew since: then it is read again whole, as it is now. A small file is read
 * on the spot: three thread-pool round trips cost this thread more than the
 * read itself, and the parser waited on them (small-object mix, paired runs:
 * docs/performance.md, Small objects).
 */
function readListed(o: LocalObject): Promise<Buffer> {
  if (o.size <= ON_THE_SPOT) {
    try { return Promise.resolve(readListedNow(o)); } catch (e) { return Promise.reject(e as Error); }
  }
  return new Promise((done, fail) => {
    open(o.path, 'r', (err, fd) => {
      if (err) { fail(err); return; }
      const buf = slab.take(o.size + 1);
      read(fd, buf, 0, buf.length, 0, (rerr, n) => {
        close(fd, () => undefined);
        if (rerr) fail(rerr);
        else if (n > o.size) readFile(o.path).then(done, fail);
        else done(buf.subarray(0, n));
      });
    });
  });
}

function readListedNow(o: LocalObject): Buffer {
  const fd = openSync(o.path, 'r');
  let n: number, buf: Buffer;
  try {
    buf = slab.take(o.size + 1);
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  return n > o.size ? readFileSync(o.path) : buf.subarray(0, n);
}

export const readLocalObject = async (o: LocalObject): Promise<Buffer | AsyncIterable<Buffer>> =>
  o.size > STREAM_ABOVE ? createReadStream(o.path, { highWaterMark: STREAM_ABOVE }) : readListed(o);

/** The local source of one folder or file, for ingest. */
export const localSource = (root: string) => ({ kind: 'local' as const, list: () => listLocalPages(root), fetch: readLocalObject, ref: localRef });

/** A file an intent names, if it is still the one named (size and modification time, as listed); a file that cannot be asked (EACCES, EIO) throws. */
async function localRef(name: string, identity: string): Promise<LocalObject | null> {
  const s = await stat(name).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    throw e;
  });
  const obj = s?.isFile() ? localObject(name, s) : null;
  return obj?.identity === identity ? obj : null;
}

/** A folder's listing in the ledger: where its batches are written ahead (pipeline/ingest.ts). */
export const localStream = (root: string): string => `local-ingest://${resolve(root)}`;
