/**
 * gzip decoded on the fly: an object's decompressed bytes as a sequence of
 * windows, so a large log never sits decompressed in memory whole (a 60 MB
 * gzip object is ~600 MB of text). zlib inflates on the thread pool while the
 * previous window is parsed. The object itself may arrive as a stream (an S3
 * body): then it is never whole in memory, compressed or not.
 */
import { createGunzip } from 'node:zlib';
import { once } from 'node:events';
import { isGzip } from './gzip.js';

/** Decompressed bytes handed to the parser at a time: big enough that per-call costs vanish. */
export const WINDOW_BYTES = 4 << 20;

/** An object's bytes: whole in memory (local files), or as they arrive (network bodies). */
export type ObjectBody = Buffer | AsyncIterable<Buffer>;

/**
 * The first bytes of a streamed body (at least `min`, unless it is shorter)
 * and the whole body again, those bytes included, to read from the start.
 */
export async function peekBody(body: AsyncIterable<Buffer>, min = 2): Promise<{ head: Buffer; body: AsyncIterable<Buffer> }> {
  const it = body[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let n = 0;
  while (n < min) {
    const r = await it.next();
    if (r.done) break;
    seen.push(r.value);
    n += r.value.length;
  }
  const head = seen.length === 1 ? seen[0]! : Buffer.concat(seen);
  async function* again(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, body: again() };
}


export async function* decodedWindows(raw: ObjectBody, windowBytes = WINDOW_BYTES): AsyncGenerator<Buffer> {
  let body: AsyncIterable<Buffer> | Buffer[];
  if (Buffer.isBuffer(raw)) {
    if (!isGzip(raw)) { yield raw; return; }
    body = [raw];
  } else {
    const peeked = await peekBody(raw);
    if (!isGzip(peeked.head)) { yield* peeked.body; return; }
    body = peeked.body;
  }
  // zlib's own output chunks are the windows (no re-assembly copy); gunzip reads every member of a
  // multi-member file (concatenated gzip files), and what it inflated before a break is yielded before the error
  const gunzip = createGunzip({ chunkSize: Math.max(64, windowBytes) });
  // typed by the cast, not narrowed to null: feed() assigns it where control flow cannot see
  let bodyError = null as Error | null;
  const feed = async (): Promise<void> => {
    const it = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]?.() ?? (body as Buffer[])[Symbol.iterator]();
    for (;;) {
      let r: IteratorResult<Buffer>;
      // a body that fails while arriving (network): what arrived is still inflated and parsed, then its error is the break
      try { r = await it.next(); } catch (e) { bodyError = e as Error; break; }
      if (r.done || gunzip.destroyed) break;
      if (!gunzip.write(r.value)) {
        try { await once(gunzip, 'drain'); } catch { return; } // gunzip failed (corrupt data): the reader gets its error
      }
    }
    if (!gunzip.destroyed) gunzip.end();
  };
  void feed();
  try {
    yield* gunzip as AsyncIterable<Buffer>;
  } catch (e) {
    throw bodyError ?? e; // a body cut short also ends the gzip early; the cause is the body's error
  }
  if (bodyError) throw bodyError;
}
