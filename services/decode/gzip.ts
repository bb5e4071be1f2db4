/** gzip by magic bytes, not by file name: S3 keys lie (.log that is gzip, .gz that is not). */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Whole-object decode on the thread pool (so the next object decompresses
 * while this one is parsed). zlib reads every member of a multi-member gzip,
 * as written by concatenating gzip files.
 */
export async function decodeObject(raw: Buffer): Promise<Buffer> {
  return isGzip(raw) ? gunzipAsync(raw) : raw;
}
