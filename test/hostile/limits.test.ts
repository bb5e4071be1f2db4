/**
 * Hostile input against the memory caps (limits:, docs/security.md): over-long
 * lines across windows, decompression bombs in documents and messages, an
 * object of junk whose rejects are stored in bounded batches (exactly once
 * across a crash), and Parquet footers that lie about their rows.
 */
import { gzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withStore } from '../temp-store.js';
import { dyingStore } from '../dying-store.js';
import { FlowBatch } from '../../services/core/flow-batch.js';
import { QuarantineError, RejectBatch } from '../../services/core/rejects.js';
import { decodeObject } from '../../services/decode/gzip.js';
import { openRawObjectParser, type ObjectParser } from '../../services/parse/object-parser.js';
import { ingestPath } from '../../services/pipeline/ingest.js';
import { benchLines } from '../../services/bench/dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drain(p: ObjectParser): Promise<{ rows: number; rejects: RejectBatch }> {
  const batch = new FlowBatch(1000), rejects = new RejectBatch({ maxCount: 1e9, maxBytes: 1e12 });
  let rows = 0;
  for (let done = false; !done;) { done = await p.fill(batch, rejects); rows += batch.length; batch.reset(); }
  return { rows, rejects };
}

const GOOD = benchLines(3, 5);

describe('limits on hostile input', () => {
  it('an over-long line across windows is one LINE_TOO_LONG reject with a bounded raw text, and the next lines parse', async () => {
    const body = Buffer.concat([Buffer.from(`${GOOD[0]}\n`), Buffer.alloc(12 << 20, 0x30), Buffer.from(`\n${GOOD[1]}\n${GOOD[2]}\n`)]);
    const got = await drain(await openRawObjectParser('s', gzipSync(body), { limits: { max_line_bytes: 4096 } }));
    expect(got.rows).toBe(3);
    expect(got.rejects.items.map((r) => [r.reason, r.position])).toEqual([['LINE_TOO_LONG', '2']]);
    expect(got.rejects.items[0]!.raw.length).toBeLessThanOrEqual(300);
    expect(got.rejects.items[0]!.detail).toMatch(/^12582912 bytes/);
  });

  it('a line past max_line_bytes (under a window) is LINE_TOO_LONG, not parsed', async () => {
    const long = `${GOOD[0]} ${'x'.repeat(3000)}`;
    const got = await drain(await openRawObjectParser('s', Buffer.from(`${long}\n${GOOD[1]}\n`), { limits: { max_line_bytes: 2048 } }));
    expect(got.rows).toBe(1);
    expect(got.rejects.items.map((r) => r.reason)).toEqual(['LINE_TOO_LONG']);
  });

  it('an unterminated over-long last line, and one cut by a broken gzip, end in one bounded reject', async () => {
    const zeros = Buffer.alloc(9 << 20, 0x31);
    const clean = await drain(await openRawObjectParser('s', gzipSync(zeros), { limits: { max_line_bytes: 4096 } }));
    expect(clean.rejects.items.map((r) => r.reason)).toEqual(['LINE_TOO_LONG']);
    const gz = gzipSync(zeros);
    const broken = await drain(await openRawObjectParser('s', gz.subarray(0, gz.length - 12), { limits: { max_line_bytes: 4096 } }));
    expect(broken.rejects.items.map((r) => r.reason)).toEqual(['DECODE']);
    expect(broken.rejects.items[0]!.raw.length).toBeLessThanOrEqual(300);
  });

  it('a JSON document past max_document_bytes decompressed is TOO_LARGE, before it is gathered', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{'), Buffer.alloc(32 << 20)]));
    const err = await openRawObjectParser('s', bomb, { limits: { max_document_bytes: 1 << 20 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuarantineError);
    expect((err as QuarantineError).reason).toBe('TOO_LARGE');
    const plain = await openRawObjectParser('s', Buffer.concat([Buffer.from('{'), Buffer.alloc(2 << 20, 0x20), Buffer.from('}')]), { limits: { max_document_bytes: 1 << 20 } }).catch((e: unknown) => e);
    expect((plain as QuarantineError).reason).toBe('TOO_LARGE');
  });

  it('a Kafka message past max_message_bytes decoded is TOO_LARGE (zlib stops inflating)', async () => {
    const err = await decodeObject(gzipSync(Buffer.alloc(64 << 20)), 1 << 20).catch((e: unknown) => e);
    expect((err as QuarantineError).reason).toBe('TOO_LARGE');
    await expect(decodeObject(Buffer.alloc(2 << 20), 1 << 20)).rejects.toThrow(/max_message_bytes/);
    expect((await decodeObject(gzipSync(Buffer.from('ok')), 1 << 20)).toString()).toBe('ok');
  });

  it('an object of junk is stored in batches of bounded rejects, and each reject once across a crash and resume', async () => {
    const src = join(dir, 'junk');
    mkdirSync(src);
    // good rows between runs of junk: batches end after rejects that follow their last row
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) { lines.push(GOOD[i % 3]!); for (let j = 0; j < 7; j++) lines.push(`junk ${i} ${j}`); }
    writeFileSync(join(src, 'a.log'), `${lines.join('\n')}\n`);
    const limits = { max_rejects_per_batch: 10 };
    const clean = await withStore(async (store) => {
      const sizes: number[] = [];
      const s = await ingestPath(store, src, { limits, onBatch: (b) => sizes.push(b.rejected) });
      expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
      expect(sizes.length).toBeGreaterThanOrEqual(28);
      expect(s.rows).toBe(40);
      return store.queryRows<{ position: string }>('SELECT position FROM flows_rejected ORDER BY toUInt32(position)');
    });
    expect(clean.length).toBe(280);
    await withStore(async (store) => {
      await expect(ingestPath(dyingStore(store, 5), src, { limits })).rejects.toThrow(/simulated crash/);
      const s = await ingestPath(store, src, { limits });
      expect(s.resumed).toBe(1);
      expect(await store.queryRows('SELECT position FROM flows_rejected ORDER BY toUInt32(position)')).toEqual(clean);
      expect(Number((await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows'))[0]!.n)).toBe(40);
    });
  });

  it('a Parquet file whose footer declares another row count than it holds is quarantined (DECODE), not stored as done and empty', async () => {
    const src = join(dir, 'parquet');
    mkdirSync(src);
    await withStore(async (store) => {
      const good = join(src, 'good.parquet');
      await store.exec(`INSERT INTO FUNCTION file('${good}', 'Parquet') SELECT number AS version FROM numbers(3001)`);
      const data = readFileSync(good);
      for (const [name, rows] of [['minus5.parquet', -5], ['more.parquet', 3002]] as const) writeFileSync(join(src, name), withDeclaredRows(data, 3001, rows));
      rmSync(good);
      const s = await ingestPath(store, src);
      expect(s.rows).toBe(0);
      const rej = await store.queryRows<{ source: string; reason: string; detail: string }>('SELECT source, reason, detail FROM flows_rejected ORDER BY source');
      expect(rej.map((r) => [r.source.replace(/.*\//, ''), r.reason])).toEqual([['minus5.parquet', 'DECODE'], ['more.parquet', 'DECODE']]);
      expect(rej[0]!.detail).toMatch(/declares -5 rows/);
    });
  }, 60_000);
});

/** The file with its footer's num_rows (FileMetaData field 3, the first i64 field-3 header in the footer) rewritten. */
function withDeclaredRows(file: Buffer, was: number, now: number): Buffer {
  const varint = (n: number): number[] => { const out: number[] = []; let z = n >= 0 ? n * 2 : -n * 2 - 1; do { let b = z & 0x7f; z = Math.floor(z / 128); if (z) b |= 0x80; out.push(b); } while (z); return out; };
  const len = file.readUInt32LE(file.length - 8);
  const footer = file.subarray(file.length - 8 - len, file.length - 8);
  const find = Buffer.from([0x16, ...varint(was)]);
  const at = footer.indexOf(find);
  if (at < 0) throw new Error('num_rows not found in the footer');
  const patched = Buffer.concat([footer.subarray(0, at), Buffer.from([0x16, ...varint(now)]), footer.subarray(at + find.length)]);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(patched.length, 0);
  tail.write('PAR1', 4);
  return Buffer.concat([file.subarray(0, file.length - 8 - len), patched, tail]);
}
