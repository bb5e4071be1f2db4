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
  // zlib's gunzip reads every member of a multi-member file (concatenated gzip files)
  const gunzip = Readable.from([raw]).pipe(createGunzip({ chunkSize: Math.max(64, Math.min(1 << 20, windowBytes)) }));
  let parts: Buffer[] = [], size = 0;
  const take = () => { const w = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size); parts = []; size = 0; return w; };
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      parts.push(chunk); size += chunk.length;
      if (size >= windowBytes) yield take();
    }
  } catch (e) {
    // what was inflated before the break is still good data: hand it over, then the error
    if (size > 0) yield take();
    throw e;
  }
  if (size > 0) yield take();
}
