/** gzip by magic bytes, not by file name: S3 keys lie (.log that is gzip, .gz that is not). */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { constants } from 'node:buffer';
import { QuarantineError } from '../core/rejects.js';
import { DEFAULT_LIMITS } from '../../schemas/config.js';

const gunzipAsync = promisify(gunzip);

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

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
    return await gunzipAsync(raw, { maxOutputLength: Math.min(maxBytes, constants.MAX_LENGTH) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw e;
  }
}

