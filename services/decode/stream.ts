/**
 * gzip decoded on the fly: an object's decompressed bytes as a sequence of
 * windows, so a large log never sits decompressed in memory whole (a 60 MB
 * gzip object is ~600 MB of text). zlib inflates on the thread pool while the
 * previous window is parsed.
 */
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { isGzip } from './gzip.js';

/** Decompressed bytes handed to the parser at a time: big enough that per-call costs vanish. */
export const WINDOW_BYTES = 4 << 20;

export async function* decodedWindows(raw: Buffer, windowBytes = WINDOW_BYTES): AsyncGenerator<Buffer> {
  if (!isGzip(raw)) { yield raw; return; }
  // zlib's own output chunks are the windows (no re-assembly copy); gunzip reads every member of a
  // multi-member file (concatenated gzip files), and what it inflated before a break is yielded before the error
  yield* Readable.from([raw]).pipe(createGunzip({ chunkSize: Math.max(64, windowBytes) })) as AsyncIterable<Buffer>;
}
