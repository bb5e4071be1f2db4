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

/** A gzip member of `data` with an FNAME header field of `nameBytes` bytes (the name ends the header). */
function withName(data: Uint8Array, nameBytes: number): Buffer {
  const z = gzipSync(data);
  return Buffer.concat([z.subarray(0, 3), Buffer.from([z[3]! | 0x08]), z.subarray(4, 10), Buffer.from(`${'n'.repeat(nameBytes)}\0`), z.subarray(10)]);
}

describe('decodedHead', () => {
  /** decodeObject's result or its failure, as the head must agree with it. */
  const whole = (raw: Buffer, max: number) => decodeObject(raw, max).then((b) => ({ ok: true as const, b }), () => ({ ok: false as const }));

  it('is the first bytes of what decodeObject returns, or fails or gives up (null) where it is not decided', async () => {
    const member = fc.record({
      data: fc.oneof(fc.uint8Array({ maxLength: 6000 }), fc.string({ maxLength: 20000 }).map((t) => Buffer.from(t))),
      level: fc.integer({ min: 0, max: 9 }), name: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })), empties: fc.nat(40),
    }).map(({ data, level, name, empties }) => Buffer.concat([
      ...Array.from({ length: empties }, () => gzipSync(Buffer.alloc(0))), // members of nothing ahead of the data
      name > 0 ? withName(data, name) : gzipSync(data, { level }),
    ]));
    await fc.assert(fc.asyncProperty(
      fc.array(member, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 5000 }),
      fc.constantFrom('whole', 'cut', 'garbage', 'plain'), fc.constantFrom(1 << 30, 3000),
      async (members, bytes, shape, max) => {
        const z = Buffer.concat(members);
        const raw = shape === 'cut' ? z.subarray(0, Math.floor(z.length / 2)) : shape === 'garbage' ? Buffer.concat([z, Buffer.from('junk')])
          : shape === 'plain' ? Buffer.concat([Buffer.from('x'), z.subarray(1)]) : z; // no gzip magic: the bytes as they are
        const w = await whole(raw, max);
        let head: Buffer | null;
        try { head = decodedHead(raw, bytes, max, 16 << 10); } catch {
          expect(w.ok).toBe(false); // the head fails only where the whole message does
          return;
        }
        if (head === null) return; // undecided: the caller inflates the whole message
        // where the whole fails past a head that did not (a cut or junk tail, too large), the caller's whole decode fails too
        if (w.ok) expect(head.equals(w.b.subarray(0, bytes))).toBe(true);
      }), { numRuns: 400 });
  });

  it('gives up (null) on a header longer than it reads, and reads it when allowed', async () => {
    const text = Buffer.from(benchLines(50, 2).join('\n'));
    const raw = withName(text, 20_000);
    expect(decodedHead(raw, 2048, 1 << 30, 16 << 10)).toBeNull();
    expect(decodedHead(raw, 2048, 1 << 30, 64 << 10)!.equals(text.subarray(0, 2048))).toBe(true);
  });

  it('fails past maxBytes of output, as decodeObject does (TOO_LARGE)', async () => {
    const bomb = Buffer.concat([gzipSync(Buffer.alloc(0)), gzipSync(Buffer.alloc(5 << 20))]); // 5 MB of zeros in ~5 KB
    expect(() => decodedHead(bomb, 6 << 20, 1 << 20)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_TOO_LARGE' }));
    await expect(decodeObject(bomb, 1 << 20)).rejects.toThrow(/max_message_bytes/);
  });

  it('inflates only the start of a large message: a corrupt tail is not reached', async () => {
    const lines = Buffer.from(benchLines(50_000, 5).join('\n'));
    const big = gzipSync(lines);
    big.fill(0xff, big.length - 2000, big.length - 8); // the end of the deflate stream, far past the head
    await expect(decodeObject(big, 1 << 30)).rejects.toThrow();
    expect(decodedHead(big, 2048)!.equals(lines.subarray(0, 2048))).toBe(true);
  });

  it('throws where the part it inflates is corrupt', () => {
    const bad = Buffer.from(gz);
    bad.fill(0xff, 10, 200);
    expect(() => decodedHead(bad, 2048)).toThrow();
  });
});
