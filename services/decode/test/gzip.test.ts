/**
 * Small objects inflated whole: the same bytes as a streaming inflate, in one
 * buffer sized from the gzip trailer; anything that is not a clean small gzip
 * is left to the streaming path (null).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { decodeSmallObject, gunzipChunkSize } from '../gzip.js';

const text = Buffer.from(`${HEADER}\n${benchLines(100, 3).join('\n')}\n`);
const gz = gzipSync(text);

describe('decodeSmallObject', () => {
  it('inflates a small gzip object into one buffer of about its own size', async () => {
    const out = await decodeSmallObject(gz, 4 << 20);
    expect(out!.equals(text)).toBe(true);
    // one allocation sized from the trailer, not a fixed window per object
    expect(out!.buffer.byteLength).toBeLessThanOrEqual(text.length + 64);
    expect(gunzipChunkSize(gz, 4 << 20)).toBe(text.length + 64);
  });

  it('hands bytes that are not gzip back as they are', async () => {
    expect(await decodeSmallObject(text, 4 << 20)).toBe(text);
  });

  it('leaves to the streaming path what is not small or not clean', async () => {
    expect(await decodeSmallObject(gz, text.length - 1)).toBeNull(); // the trailer says too large
    expect(await decodeSmallObject(gz.subarray(0, gz.length - 20), 4 << 20)).toBeNull(); // truncated
    // a first member the trailer does not count: inflating passes the limit
    const multi = Buffer.concat([gzipSync(Buffer.alloc(200_000, 0x41)), gzipSync(Buffer.from('x\n'))]);
    expect(await decodeSmallObject(multi, 100_000)).toBeNull();
    expect((await decodeSmallObject(multi, 4 << 20))!.length).toBe(200_002);
  });
});
