/** gzip by magic bytes, not by file name: S3 keys lie (.log that is gzip, .gz that is not). */
import { constants as zlibConstants, gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { constants } from 'node:buffer';
import { QuarantineError } from '../core/rejects.js';
import { DEFAULT_LIMITS } from '../../schemas/config.js';

const gunzipAsync = promisify(gunzip);

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * zlib's output buffer for a whole gzip object, from the decoded size its
 * trailer declares (ISIZE, the last member's size mod 2^32): with room to
 * spare, the object inflates into one buffer of about its own size instead of
 * a fixed-size chunk per object (a 16 KB default means copies for large
 * objects; a 4 MB window per small one is mostly garbage). A trailer that
 * lies (another member before it, a corrupt file) only costs more chunks.
 */
export function gunzipChunkSize(raw: Uint8Array, max: number): number {
  if (raw.length < 18) return 64;
  const isize = (raw[raw.length - 4]! | (raw[raw.length - 3]! << 8) | (raw[raw.length - 2]! << 16)) + raw[raw.length - 1]! * 2 ** 24;
  return Math.max(64, Math.min(max, isize + 64));
}

/**
 * Whole-object decode on the thread pool (so the next object decompresses
 * while this one is parsed). zlib reads every member of a multi-member gzip,
 * as written by concatenating gzip files. Past `maxBytes` decoded
 * (limits.max_message_bytes) zlib stops inflating and the object is TOO_LARGE:
 * a 1 MB message can hold a gigabyte of zeros.
 */
export async function decodeObject(raw: Buffer, maxBytes: number = DEFAULT_LIMITS.max_message_bytes): Promise<Buffer> {
  const tooLarge = () => new QuarantineError('TOO_LARGE', `the message is larger than limits.max_message_bytes (${maxBytes} bytes) decoded`);
  if (!isGzip(raw)) {
    if (raw.length > maxBytes) throw tooLarge();
    return raw;
  }
  try {
    const limit = Math.min(maxBytes, constants.MAX_LENGTH);
    return await gunzipAsync(raw, { maxOutputLength: limit, chunkSize: gunzipChunkSize(raw, Math.min(limit, 4 << 20)) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw e;
  }
}

/**
 * A small object's decoded bytes, inflated whole in one call on the thread
 * pool (an object of a hundred flows costs one output buffer and no stream
 * machinery). Not gzip: the bytes as they are. null when the object is not
 * small after all (its trailer says more than `maxBytes`, or inflating passes
 * it) or does not inflate cleanly: the caller then streams it, which gives the
 * rows before a break and the break as a reject, exactly as before.
 */
export async function decodeSmallObject(raw: Buffer, maxBytes: number): Promise<Buffer | null> {
  if (!isGzip(raw)) return raw;
  const chunkSize = gunzipChunkSize(raw, maxBytes + 64);
  if (chunkSize > maxBytes) return null;
  try {
    // a few KB inflate in microseconds: here, without the thread-pool round trip and stream a call there costs (measured
    // ~2x the CPU for 5 KB objects); larger ones on the pool, while the parser works on the object before
    if (raw.length <= INFLATE_HERE_BELOW) return gunzipSync(raw, { maxOutputLength: maxBytes, chunkSize });
    return await gunzipAsync(raw, { maxOutputLength: maxBytes, chunkSize });
  } catch {
    return null;
  }
}

const INFLATE_HERE_BELOW = 64 << 10;

/**
 * The first `bytes` bytes of what decodeObject(raw, maxBytes) would return
 * (fewer when it is shorter), inflating only as much of a gzip message as that
 * takes: enough to tell an S3 notification from a batch of flow-log lines
 * without inflating every batch twice. Starts from 1 KB of input and takes
 * four times more while the output falls short, up to `maxInput`; null when
 * that was not enough (long header fields, empty members: the caller inflates
 * the whole message, off the main thread). Throws where the inflated part is
 * corrupt, or inflates past `maxBytes` (so would the whole message: TOO_LARGE).
 * A message that is not gzip gets its head whatever its size (the caller's
 * whole decode refuses it if it is too large). The inflate runs on the main
 * thread: a real batch of lines is decided by its first 1 KB; a crafted one can
 * cost up to `maxBytes` of output once before it is refused.
 */
export function decodedHead(raw: Buffer, bytes: number, maxBytes: number = DEFAULT_LIMITS.max_message_bytes, maxInput = 64 << 10): Buffer | null {
  if (!isGzip(raw)) return raw.subarray(0, bytes);
  const maxOutputLength = Math.min(maxBytes, constants.MAX_LENGTH);
  for (let take = Math.min(raw.length, 1024); ; take = Math.min(raw.length, take * 4)) {
    // a cut stream inflates to what its bytes hold when flushed, not to an error
    const out = gunzipSync(raw.subarray(0, take), take < raw.length ? { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength } : { maxOutputLength });
    if (out.length >= bytes || take === raw.length) return out.subarray(0, bytes);
    if (take >= maxInput) return null;
  }
}
