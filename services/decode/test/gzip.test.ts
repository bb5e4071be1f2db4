/**
 * Small objects inflated whole: the same bytes as a streaming inflate, in one
 * buffer sized from the gzip trailer; anything that is not a clean small gzip
 * is left to the streaming path (null).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { decodedHead, decodeObject, decodeSmallObject, gunzipChunkSize } from '../gzip.js';

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

describe('decodedHead', () => {
  it('is the first bytes of what decodeObject returns, for gzip (one member or several) and plain bytes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.oneof(fc.uint8Array({ maxLength: 6000 }), fc.string({ maxLength: 20000 }).map((t) => Buffer.from(t))), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 5000 }), fc.boolean(), fc.integer({ min: 0, max: 9 }),
      async (parts, bytes, zip, level) => {
        const raw = zip ? Buffer.concat(parts.map((p) => gzipSync(p, { level }))) : Buffer.concat(parts);
        const whole = await decodeObject(raw, 1 << 30);
        expect(decodedHead(raw, bytes).equals(whole.subarray(0, bytes))).toBe(true);
      }), { numRuns: 300 });
  });

  it('inflates only the start of a large message: a corrupt tail is not reached', async () => {
    const lines = Buffer.from(benchLines(50_000, 5).join('\n'));
    const big = gzipSync(lines);
    big.fill(0xff, big.length - 2000, big.length - 8); // the end of the deflate stream, far past the head
    await expect(decodeObject(big, 1 << 30)).rejects.toThrow();
    expect(decodedHead(big, 2048).equals(lines.subarray(0, 2048))).toBe(true);
  });

  it('throws where the part it inflates is corrupt', () => {
    const bad = Buffer.from(gz);
    bad.fill(0xff, 10, 200);
    expect(() => decodedHead(bad, 2048)).toThrow();
  });
});
