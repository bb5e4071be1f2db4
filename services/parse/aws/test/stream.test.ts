/**
 * A streamed object (gzip decoded window by window) parses to exactly the
 * rows, rejects and line numbers of the same object parsed whole, wherever
 * the windows and batches happen to cut; a stream that breaks keeps its
 * prefix and says where it broke.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FlowBatch } from '../../../core/flow-batch.js';
import { rowToRecord } from '../../../core/record.js';
import { RejectBatch, type RejectedRecord } from '../../../core/rejects.js';
import { decodedWindows } from '../../../decode/stream.js';
import { openRawObjectParser, type ObjectParser } from '../../object-parser.js';
import { AwsStreamParser } from '../stream-parser.js';
import { benchLines } from '../../../bench/dataset.js';
import { parseAll } from './parse-helpers.js';

const GOLDEN = join(fileURLToPath(new URL('.', import.meta.url)), 'golden');
// header switches, junk, CRLF and a custom format in one object
const TEXT = Buffer.concat([
  ...['junk.log', 'header-switch.log', 'tgw-header.log', 'v2-header.log'].map((f) => readFileSync(join(GOLDEN, f))),
  Buffer.from(`\n${benchLines(200, 5).join('\n')}\n`),
]);

async function drain(parser: ObjectParser, capacity: number) {
  const batch = new FlowBatch(capacity), rejects = new RejectBatch();
  const records = [];
  const rejected: RejectedRecord[] = [];
  for (let done = false; !done;) {
    done = await parser.fill(batch, rejects);
    for (let r = 0; r < batch.length; r++) records.push(rowToRecord(batch, r));
    rejected.push(...rejects.items);
    batch.reset(); rejects.clear();
  }
  return { records, rejected };
}

function chunksOf(data: Buffer, cuts: number[]): AsyncIterable<Buffer> {
  const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts = [0, ...at, data.length].slice(1).map((end, i, a) => data.subarray(i === 0 ? 0 : a[i - 1]!, end));
  return (async function* () { for (const p of parts) yield p; })();
}
const windowsOf = (data: Buffer, cuts: number[]): AsyncIterator<Buffer> => chunksOf(data, cuts)[Symbol.asyncIterator]();

describe('streamed AWS text', () => {
  const whole = parseAll(TEXT, { source: 's' });

  it('gives the rows, rejects and positions of a whole parse for any windows and batch sizes', async () => {
    expect(whole.records.length).toBeGreaterThan(200);
    expect(whole.rejected.length).toBeGreaterThan(3);
    await fc.assert(fc.asyncProperty(fc.array(fc.nat(TEXT.length), { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), async (cuts, capacity) => {
      const it = windowsOf(TEXT, cuts);
      const first = await it.next();
      const got = await drain(new AwsStreamParser('s', first.done ? Buffer.alloc(0) : first.value, it), capacity);
      expect(got.records).toEqual(whole.records);
      expect(got.rejected.map((r) => [r.position, r.reason])).toEqual(whole.rejected.map((r) => [r.position, r.reason]));
    }), { numRuns: 150 });
  });

  it('decodes multi-member gzip on the fly, in windows smaller than the object', async () => {
    const multi = readFileSync(join(GOLDEN, 'v5-custom-multimember.log.gz'));
    const plain = gunzipSync(multi);
    const windows = [];
    for await (const w of decodedWindows(multi, 64)) windows.push(w);
    expect(windows.length).toBeGreaterThan(1);
    expect(Buffer.concat(windows).equals(plain)).toBe(true);
    const got = await drain(await openRawObjectParser('s', multi), 7);
    expect(got.records).toEqual(parseAll(plain, { source: 's', capacity: 7 }).records);
  });

  it('parses a body that is still arriving (gzip or not) like the whole object, however the network cuts it', async () => {
    const gz = gzipSync(TEXT);
    await fc.assert(fc.asyncProperty(fc.array(fc.nat(gz.length), { maxLength: 30 }), fc.boolean(), async (cuts, compressed) => {
      // a 1-byte first chunk too: the gzip magic may arrive split
      const body = compressed ? gz : TEXT;
      const got = await drain(await openRawObjectParser('s', chunksOf(body, [1, ...cuts])), 64);
      expect(got.records).toEqual(whole.records);
      expect(got.rejected.map((r) => [r.position, r.reason])).toEqual(whole.rejected.map((r) => [r.position, r.reason]));
    }), { numRuns: 60 });
  });

  it('a body that fails while arriving keeps the rows before the failure and ends with one DECODE reject', async () => {
    const big = Buffer.concat(Array.from({ length: 50 }, () => TEXT));
    const gz = gzipSync(big);
    const failing = (async function* () {
      yield gz.subarray(0, gz.length >> 1);
      throw new Error('socket hang up');
    })();
    const got = await drain(await openRawObjectParser('s', failing), 1000);
    const decode = got.rejected.filter((r) => r.reason === 'DECODE');
    expect(decode).toHaveLength(1);
    expect(decode[0]!.detail).toMatch(/could not be read past line \d+: socket hang up/);
    expect(got.records.length).toBeGreaterThan(whole.records.length * 5);
    expect(got.records.length).toBeLessThan(whole.records.length * 50);
  });

  it('keeps the rows before a break in the gzip stream and ends with one DECODE reject where it broke', async () => {
    const big = Buffer.concat(Array.from({ length: 100 }, () => TEXT));
    const gz = gzipSync(big);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const parser = await openRawObjectParser('s', cut);
    expect(parser).toBeInstanceOf(AwsStreamParser);
    const got = await drain(parser, 1000);
    const last = got.rejected.at(-1)!;
    expect(last.reason).toBe('DECODE');
    expect(last.detail).toMatch(/could not be read past line \d+: unexpected end of file/);
    expect(got.rejected.filter((r) => r.reason === 'DECODE')).toHaveLength(1);
    // the prefix is exactly what a whole parse of those lines gives
    const lines = Number(last.position) - 1;
    const prefix = big.subarray(0, nthNewline(big, lines) + 1);
    const ref = parseAll(prefix, { source: 's' });
    expect(got.records).toEqual(ref.records);
    expect(got.records.length).toBeGreaterThan(whole.records.length * 20);
    expect(got.records.length).toBeLessThan(whole.records.length * 100);
  });
});

function nthNewline(b: Buffer, n: number): number {
  let p = -1;
  for (let i = 0; i < n; i++) p = b.indexOf(10, p + 1);
  return p;
}
