/**
 * A JSON object (Azure document or NDJSON, AWS lines wrapped as {"message"})
 * is gathered whole before it is parsed, so a gzip that breaks anywhere gives
 * no parser at all: the caller quarantines the object as one DECODE reject,
 * and nothing of its partial tail becomes a record.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FlowlogError } from '../../../core/errors.js';
import { benchLines } from '../../../bench/dataset.js';
import { openRawObjectParser } from '../../object-parser.js';
import { ndjson } from './build.js';

const golden = (f: string) => readFileSync(new URL(`golden/${f}`, import.meta.url));
const asNdjson = (doc: Buffer) => Buffer.from(ndjson((JSON.parse(doc.toString('utf8')) as { records: object[] }).records));
const DOCS = {
  nsg: golden('nsg-v2.json'),
  vnet: golden('vnet.json'),
  nsgNdjson: asNdjson(golden('nsg-v2.json')),
  vnetNdjson: asNdjson(golden('vnet.json')),
  awsMessages: Buffer.from(benchLines(200, 9).map((l) => `${JSON.stringify({ message: l })}\n`).join('')),
};

function chunksOf(data: Buffer, cuts: number[]): AsyncIterable<Buffer> {
  const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts = [0, ...at, data.length].slice(1).map((end, i, a) => data.subarray(i === 0 ? 0 : a[i - 1]!, end));
  return (async function* () { for (const p of parts) yield p; })();
}

describe('a JSON object whose gzip breaks', () => {
  it('whole gzip parses (the documents are good), truncated at any byte gives no parser, only the decode error', async () => {
    for (const doc of Object.values(DOCS)) await expect(openRawObjectParser('s', gzipSync(doc))).resolves.toBeDefined();
    await fc.assert(fc.asyncProperty(fc.constantFrom(...Object.keys(DOCS) as (keyof typeof DOCS)[]), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.nat(), { maxLength: 8 }),
      async (name, where, cuts) => {
        const gz = gzipSync(DOCS[name]);
        const cut = gz.subarray(0, Math.max(2, Math.min(gz.length - 1, Math.floor(where * gz.length))));
        const body = cuts.length ? chunksOf(cut, [1, ...cuts]) : cut;
        await expect(openRawObjectParser('s', body)).rejects.toThrow(/unexpected end of file/);
      }), { numRuns: 150 });
  });

  it('a body the source could not deliver gives no parser either, with the source error (the object is resumed, not quarantined)', async () => {
    const gz = gzipSync(DOCS.vnetNdjson);
    const failing = (async function* () {
      yield gz.subarray(0, gz.length >> 1);
      throw new FlowlogError('SOURCE_UNAVAILABLE', 'connection reset');
    })();
    const err = await openRawObjectParser('s', failing).catch((e: unknown) => e);
    expect(FlowlogError.is(err, 'SOURCE_UNAVAILABLE')).toBe(true);
  });
});
