/**
 * An object that breaks inside its last line (a truncated gzip, a body the
 * network cut) never turns that partial line into a record or a FIELD_COUNT
 * reject: on a decode error it belongs to the one DECODE reject, on a source
 * failure it is left for the resume. A plain object that simply lacks a final
 * newline at a clean end still has its last line as a record.
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FlowlogError } from '../../../core/errors.js';
import { FlowBatch } from '../../../core/flow-batch.js';
import { rowToRecord } from '../../../core/record.js';
import { RejectBatch, type RejectedRecord } from '../../../core/rejects.js';
import { decodedWindows } from '../../../decode/stream.js';
import { HEADER, benchLines } from '../../../bench/dataset.js';
import type { FlowRecord } from '../../../../schemas/flow.js';
import { openRawObjectParser, type ObjectParser } from '../../object-parser.js';
import { compileLogFormat } from '../log-format.js';
import { AwsStreamParser } from '../stream-parser.js';
import { parseAll } from './parse-helpers.js';

const BYTES_LAST = HEADER.replace(' bytes', '') + ' bytes';
const BYTES_LAST_PLAN = compileLogFormat(BYTES_LAST);

/** A default-order line moved to an order ending in `bytes`. */
function bytesLast(line: string): string {
  const f = line.split(' ');
  const [bytes] = f.splice(9, 1);
  return [...f, bytes].join(' ');
}

/** A gzip whose inflated bytes stop exactly at `at`, then break (its trailer is missing): "unexpected end of file". */
const gzipBrokenAt = (text: Buffer, at: number): Buffer => { const gz = gzipSync(text.subarray(0, at)); return gz.subarray(0, gz.length - 8); };

async function drain(parser: ObjectParser, capacity = 64) {
  const batch = new FlowBatch(capacity), rejects = new RejectBatch();
  const records: FlowRecord[] = [];
  const rejected: RejectedRecord[] = [];
  let error: unknown = null;
  for (let done = false; !done;) {
    try { done = await parser.fill(batch, rejects); } catch (e) { error = e; done = true; }
    for (let r = 0; r < batch.length; r++) records.push(rowToRecord(batch, r));
    rejected.push(...rejects.items);
    batch.reset(); rejects.clear();
  }
  return { records, rejected, error };
}

/** Like openRawObjectParser, with small windows so lines are cut at window edges too. */
async function openStreamed(raw: Buffer | AsyncIterable<Buffer>, windowBytes: number, plan?: ReturnType<typeof compileLogFormat>) {
  const windows = decodedWindows(raw, windowBytes);
  let first: IteratorResult<Buffer>;
  try { first = await windows.next(); } catch { return null; } // nothing inflated at all: the object is one DECODE reject
  return new AwsStreamParser('s', first.done ? Buffer.alloc(0) : first.value, windows, plan);
}

describe('an object that breaks inside its last line', () => {
  const N = 40;
  const lines = benchLines(N, 3).filter((l) => !l.endsWith('NODATA'));
  const text = Buffer.from(`${lines.join('\n')}\n`);
  const lastStart = text.length - lines.at(-1)!.length - 1;

  it('default order: every whole line is a record, then one DECODE reject holding the partial line, no FIELD_COUNT', async () => {
    const at = lastStart + 40; // inside the last line
    const got = await drain(await openRawObjectParser('s', gzipBrokenAt(text, at)));
    expect(got.error).toBeNull();
    expect(got.records).toEqual(parseAll(text.subarray(0, lastStart), { source: 's' }).records);
    expect(got.records).toHaveLength(lines.length - 1);
    expect(got.rejected.map((r) => [r.position, r.reason])).toEqual([[String(lines.length), 'DECODE']]);
    expect(got.rejected[0]!.detail).toMatch(/unexpected end of file/);
    expect(got.rejected[0]!.raw).toBe(text.toString('latin1', lastStart, at));
  });

  it('a line cut just before its newline is not a record either', async () => {
    const got = await drain(await openRawObjectParser('s', gzipBrokenAt(text, text.length - 1)));
    expect(got.records).toHaveLength(lines.length - 1);
    expect(got.rejected.map((r) => [r.position, r.reason])).toEqual([[String(lines.length), 'DECODE']]);
  });

  it('an order ending in bytes: the cut bytes value is never stored', async () => {
    const custom = [...lines.slice(0, -1).map(bytesLast), '2 123456789012 eni-0a1b2c3d4e 10.0.0.5 52.1.2.3 443 49152 6 10 1732406400 1732406460 ACCEPT OK 3013022733'];
    const body = Buffer.from(`${custom.join('\n')}\n`);
    const at = body.indexOf('ACCEPT OK 3013022733') + 'ACCEPT OK 301302'.length;
    const got = await drain(await openRawObjectParser('s', gzipBrokenAt(body, at), { logFormat: BYTES_LAST_PLAN }));
    expect(got.records.map((r) => r.bytes)).not.toContain(301302);
    expect(got.records).toEqual(parseAll(Buffer.from(`${custom.slice(0, -1).join('\n')}\n`), { source: 's', logFormat: BYTES_LAST_PLAN }).records);
    expect(got.rejected.map((r) => r.reason)).toEqual(['DECODE']);
    expect(got.rejected[0]!.raw).toMatch(/ACCEPT OK 301302$/);
  });

  it('a body the source could not deliver: fill throws it, the whole lines are kept and the partial one is not counted', async () => {
    const gz = gzipSync(text);
    // find a cut of the compressed bytes whose inflated part ends inside the last line
    let cut = gz.length - 1;
    for (; cut > 0; cut--) {
      const out: Buffer[] = [];
      try { for await (const w of decodedWindows(gz.subarray(0, cut))) out.push(w); } catch { /* expected */ }
      const n = Buffer.concat(out).length;
      if (n > lastStart + 1 && n < text.length) break;
    }
    const failing = (async function* () {
      yield gz.subarray(0, cut);
      throw new FlowlogError('SOURCE_UNAVAILABLE', 'connection reset');
    })();
    const got = await drain(await openRawObjectParser('s', failing));
    expect(FlowlogError.is(got.error, 'SOURCE_UNAVAILABLE')).toBe(true);
    expect(got.records).toEqual(parseAll(text.subarray(0, lastStart), { source: 's' }).records);
    expect(got.rejected).toEqual([]);
  });

  describe('a clean end without a final newline', () => {
    const noNl = text.subarray(0, text.length - 1);
    const all = parseAll(text, { source: 's' }).records;

    it('keeps the last line as a record in a plain object, whole or streamed', async () => {
      expect(all).toHaveLength(lines.length);
      expect((await drain(await openRawObjectParser('s', noNl))).records).toEqual(all);
      const streamed = (async function* () { yield noNl.subarray(0, 100); yield noNl.subarray(100); })();
      const got = await drain(await openRawObjectParser('s', streamed));
      expect(got).toEqual({ records: all, rejected: [], error: null });
    });

    it('keeps the last line as a record in a whole gzip', async () => {
      const got = await drain(await openRawObjectParser('s', gzipSync(noNl)));
      expect(got).toEqual({ records: all, rejected: [], error: null });
    });
  });

  it('property: a gzip truncated at any byte gives a prefix of the whole records, and no record of a partial line', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 60 }), fc.nat(1000), fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 64, max: 4096 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(),
      async (n, seed, custom, members, windowBytes, where, finalNl) => {
        const ls = benchLines(n, seed).map((l) => (custom ? bytesLast(l) : l));
        const plan = custom ? BYTES_LAST_PLAN : undefined;
        const whole = Buffer.from(ls.join('\n') + (finalNl ? '\n' : ''));
        const step = Math.ceil(whole.length / members);
        const gz = Buffer.concat(Array.from({ length: members }, (_, m) => gzipSync(whole.subarray(m * step, (m + 1) * step))));
        const cut = gz.subarray(0, Math.max(2, Math.min(gz.length - 1, Math.floor(where * gz.length))));
        const ref = parseAll(whole, { source: 's', ...(plan ? { logFormat: plan } : {}) });
        // what zlib inflates before the break: whole lines are records, the tail after the last newline is not
        const out: Buffer[] = [];
        let broke = false;
        try { for await (const w of decodedWindows(cut)) out.push(w); } catch { broke = true; }
        const inflated = Buffer.concat(out);
        const parser = await openStreamed(cut, windowBytes, plan);
        const got: { records: FlowRecord[]; rejected: Partial<RejectedRecord>[]; error: unknown } = parser ? await drain(parser, 7) : { records: [], rejected: [{ reason: 'DECODE' }], error: null };
        expect(got.error).toBeNull();
        expect(got.records).toEqual(ref.records.slice(0, got.records.length));
        if (!broke) { // cut exactly between gzip members: a valid, shorter gzip, read to a clean end
          expect(got.records).toEqual(parseAll(inflated, { source: 's', ...(plan ? { logFormat: plan } : {}) }).records);
          return;
        }
        // what zlib inflated before the break: whole lines are records, the tail after the last newline is not
        const wholeLines = inflated.subarray(0, inflated.lastIndexOf(10) + 1);
        const tail = inflated.subarray(wholeLines.length);
        const prefix = parseAll(wholeLines, { source: 's', ...(plan ? { logFormat: plan } : {}) });
        expect(got.records).toEqual(prefix.records);
        expect(got.rejected.map((r) => r.reason)).toEqual([...prefix.rejected.map((r) => r.reason), 'DECODE']);
        if (tail.length) {
          const partial = parseAll(tail, { source: 's', ...(plan ? { logFormat: plan } : {}) }).records;
          for (const p of partial) expect(got.records.slice(prefix.records.length)).not.toContainEqual(p);
          expect(got.rejected.at(-1)!).toMatchObject({ position: String(wholeLines.toString('latin1').split('\n').length), raw: tail.toString('latin1') });
        }
      }), { numRuns: 200 });
  });
});
