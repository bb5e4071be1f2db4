/**
 * Property: random bytes, random gzip (whole or truncated) and random JSON
 * never crash a parser. Opening may fail (the object is then quarantined
 * whole, as DECODE or TOO_LARGE); once open, filling never throws, and every
 * reject's raw text and each batch of rejects stay within their caps.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowBatch } from '../../services/core/flow-batch.js';
import { RAW_LIMIT, RejectBatch } from '../../services/core/rejects.js';
import { openRawObjectParser } from '../../services/parse/object-parser.js';

const LIMITS = { max_line_bytes: 2048, max_document_bytes: 1 << 20 };
const CAPS = { maxCount: 50, maxBytes: 64 << 10 };

async function parseHostile(body: Buffer): Promise<void> {
  let parser;
  try { parser = await openRawObjectParser('p', body, { limits: LIMITS }); } catch (e) {
    expect(e).toBeInstanceOf(Error); // quarantined whole by the caller
    return;
  }
  const batch = new FlowBatch(64), rejects = new RejectBatch(CAPS);
  for (let fills = 0, done = false; !done; fills++) {
    expect(fills).toBeLessThan(100_000);
    done = await parser.fill(batch, rejects);
    for (const r of rejects.items) expect(r.raw.length).toBeLessThanOrEqual(RAW_LIMIT + 32);
    // a fill stops at the first record past the cap (plus at most a stream's closing DECODE reject)
    expect(rejects.length).toBeLessThanOrEqual(CAPS.maxCount + 1);
    batch.reset();
    rejects.clear();
  }
}

const bytes = fc.uint8Array({ maxLength: 8192 });
const text = fc.array(fc.oneof(fc.constantFrom('2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 80 6 1 40 1732406400 1732406460 ACCEPT OK', 'version account-id', '\n', ' ', '-', '\x01', '{', '}'),
  fc.string({ maxLength: 3000 })), { maxLength: 40 }).map((parts) => Buffer.from(parts.join('\n'), 'latin1'));

describe('hostile bytes never crash a parser', () => {
  it('random bytes and text', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(bytes.map((b) => Buffer.from(b)), text), parseHostile), { numRuns: 300 });
  });

  it('random gzip, whole or truncated', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(bytes.map((b) => Buffer.from(b)), text), fc.double({ min: 0, max: 1, noNaN: true }), async (plain, cut) => {
      const gz = gzipSync(plain);
      await parseHostile(gz.subarray(0, Math.max(2, Math.floor(gz.length * cut))));
    }), { numRuns: 300 });
  });

  it('random JSON, and JSON shaped like Azure flow logs', async () => {
    const azure = fc.record({ records: fc.array(fc.record({ time: fc.string(), properties: fc.record({ Version: fc.oneof(fc.integer(), fc.string()),
      flows: fc.array(fc.record({ rule: fc.string(), flows: fc.array(fc.record({ mac: fc.string(), flowTuples: fc.array(fc.oneof(fc.string(), fc.jsonValue())) })) })) }) })) });
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue(), azure), fc.boolean(), async (v, gz) => {
      const doc = Buffer.from(JSON.stringify(v) ?? 'null');
      await parseHostile(gz ? gzipSync(doc) : doc);
    }), { numRuns: 300 });
  });
});
