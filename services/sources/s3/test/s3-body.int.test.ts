/**
 * S3 bodies are streamed, against the real S3 server through a front that
 * misbehaves like a network: an object is parsed while it downloads (rows come
 * out while most of it is still held back), and a connection cut mid-body is
 * resumed with a Range request, so every row is stored once and nothing is
 * quarantined.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Front, type FlakyFront } from '../../../../test/flaky-front.js';
import { withStore } from '../../../../test/temp-store.js';
import { ChdbStore } from '../../../store/chdb-store.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { FlowBatch } from '../../../core/flow-batch.js';
import { RejectBatch } from '../../../core/rejects.js';
import { ingestObjects } from '../../../pipeline/ingest.js';
import { openRawObjectParser } from '../../../parse/object-parser.js';
import { makeS3Client, s3SettingsFromEnv } from '../client.js';
import { openS3Body, readS3Object, TooLargeToHold } from '../s3-body.js';
import { listS3Objects, s3Source } from '../s3-source.js';
import { backfillStream } from '../s3-uri.js';
import { testBucket } from '../../../../test/s3.js';

const bucket = testBucket('flowlog-body');
const LINES = 150_000;
let gz: Buffer;
let front: FlakyFront;

const BIN = fileURLToPath(new URL('../../../../bin/flowlog.js', import.meta.url));
/** The CLI as a child process, asynchronously: the front serving it lives in this process. */
const flowlog = (args: string[], env: Record<string, string>) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('close', (code) => resolve({ code, stdout, stderr }));
});

const frontClient = () => makeS3Client({ ...s3SettingsFromEnv(), endpoint: `http://127.0.0.1:${front.port}` });

const MULTI = ['a', 'b', 'c'].map((k, i) => ({ key: `multi/AWSLogs/1/vpcflowlogs/us-east-1/2026/05/02/${k}.log.gz`, lines: 40_000 + i * 1000 }));

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  gz = gzipSync(`${HEADER}\n${benchLines(LINES, 11).join('\n')}\n`);
  const client = makeS3Client(s3SettingsFromEnv());
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'AWSLogs/1/vpcflowlogs/us-east-1/2026/05/01/big.log.gz', Body: gz }));
  for (const [i, m] of MULTI.entries()) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: m.key, Body: gzipSync(`${HEADER}\n${benchLines(m.lines, 20 + i).join('\n')}\n`) }));
  }
  client.destroy();
  front = await startS3Front();
}, 60_000);
afterAll(async () => { await front?.close(); });

describe('S3 bodies', () => {
  it('read whole only up to wholeMax: a larger object is refused before its body is read, and read whole without it', async () => {
    const client = makeS3Client(s3SettingsFromEnv());
    const ref = { bucket, key: 'AWSLogs/1/vpcflowlogs/us-east-1/2026/05/01/big.log.gz', etag: '' };
    try {
      await expect(readS3Object(client, ref, { wholeMax: gz.length - 1 })).rejects.toBeInstanceOf(TooLargeToHold);
      expect((await readS3Object(client, ref, { wholeMax: gz.length })).equals(gz)).toBe(true);
    } finally { client.destroy(); }
  });

  it('are parsed while they download: rows come out with most of the object still held back', async () => {
    expect(gz.length).toBeGreaterThan(2 << 20);
    const client = frontClient();
    try {
      const [obj] = (await listS3Objects(client, { bucket, prefix: '' })).objects;
      const holdAt = front.passed + (256 << 10);
      front.holdNextAfter(256 << 10);
      const parser = await openRawObjectParser(obj!.name, await openS3Body(client, obj!, { prefetchBytes: 64 << 10 }));
      const batch = new FlowBatch(2000), rejects = new RejectBatch();
      expect(await parser.fill(batch, rejects)).toBe(false);
      expect(batch.length).toBe(2000);
      expect(front.passed).toBeLessThanOrEqual(holdAt); // the rest of the object has not arrived
      front.release();
      let rows = batch.length;
      for (let done = false; !done;) { batch.reset(); done = await parser.fill(batch, rejects); rows += batch.length; }
      expect(rows).toBe(LINES);
      expect(rejects.length).toBe(0);
    } finally { front.release(); client.destroy(); }
  });

  it('a connection cut mid-body is resumed from where it broke: every row once, nothing quarantined', async () => {
    const client = frontClient();
    try {
      const before = front.requests.length;
      front.cutNextAfter(1 << 20);
      await withStore(async (store) => {
        const s = await ingestObjects(store, s3Source(client, { bucket, prefix: 'AWSLogs/' }));
        expect(s.rows).toBe(LINES);
        expect(s.rejected).toBe(0);
        const [n] = await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows');
        expect(Number(n!.n)).toBe(LINES);
      });
      const ranged = front.requests.slice(before).filter((r) => /^GET /.test(r) && /\r\nrange: bytes=\d+-/i.test(r));
      expect(ranged).toHaveLength(1);
      const offset = Number(/range: bytes=(\d+)-/i.exec(ranged[0]!)![1]);
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(gz.length);
    } finally { client.destroy(); }
  });

  it('an object the server keeps failing is left unfinished, not quarantined; the next run stores the rest once', async () => {
    const client = frontClient();
    const total = MULTI.reduce((a, m) => a + m.lines, 0);
    try {
      await withStore(async (store) => {
        front.breakPath(MULTI[1]!.key, 200 << 10);
        const src = () => s3Source(client, { bucket, prefix: 'multi/', body: { backoffMs: 1 } });
        const first = await ingestObjects(store, src());
        expect(first.unfinished.map((u) => u.object)).toEqual([`s3://${bucket}/${MULTI[1]!.key}`]);
        expect(first.unfinished[0]!.reason).toMatch(/resuming at byte \d+ failed/);
        expect(first.rejected).toBe(0);
        // the others whole, and the whole lines read of the broken one before it failed
        expect(first.rows).toBeGreaterThan(MULTI[0]!.lines + MULTI[2]!.lines);
        expect(first.rows).toBeLessThan(total);
        front.heal();
        const second = await ingestObjects(store, src());
        expect(second.skipped).toBe(2);
        expect(second.resumed).toBe(1);
        expect(second.unfinished).toEqual([]);
        expect(first.rows + second.rows).toBe(total);
        const [n] = await store.queryRows<{ n: string; q: string }>('SELECT count() AS n, (SELECT count() FROM flows_rejected) AS q FROM flows');
        expect(Number(n!.n)).toBe(total);
        expect(Number(n!.q)).toBe(0);
      });
    } finally { front.heal(); client.destroy(); }
  });

  it('flowlog ingest names the objects it could not finish and exits 1; the same command again finishes them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flowlog-unfinished-'));
    const env = { S3_ENDPOINT: `http://127.0.0.1:${front.port}`, FLOWLOG_DATA_DIR: dataDir };
    const total = MULTI.reduce((a, m) => a + m.lines, 0);
    const ingested = (out: string) => { const o = JSON.parse(out) as { ingested: number; rejected: number }; return o.rejected === 0 ? o.ingested : NaN; };
    try {
      front.breakPath(MULTI[2]!.key, 100 << 10);
      const first = await flowlog(['ingest', `s3://${bucket}/multi/`, '--quiet', '--format', 'json'], env);
      expect(first.code, first.stderr).toBe(1);
      expect(first.stderr).toMatch(/error SOURCE_UNAVAILABLE: 1 object\(s\) could not be read to the end/);
      expect(first.stderr).toContain(MULTI[2]!.key);
      expect(first.stderr).toMatch(/hint: run the same command again/);
      front.heal();
      const second = await flowlog(['ingest', `s3://${bucket}/multi/`, '--quiet', '--format', 'json'], env);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout).skipped).toBe(2);
      expect(ingested(first.stdout) + ingested(second.stdout)).toBe(total);
      // its batches that spanned objects were written ahead under the prefix, and marked stored
      const store = new ChdbStore(dataDir);
      try {
        const marks = await store.queryRows<{ state: string; n: string }>(
          'SELECT state, count() AS n FROM ingest_ledger WHERE object = {o:String} GROUP BY state ORDER BY state', { o: backfillStream({ uri: `s3://${bucket}/multi/`, endpoint: env.S3_ENDPOINT }) });
        expect(marks.map((m) => m.state)).toEqual(['intent', 'stored']);
        expect(marks[0]!.n).toBe(marks[1]!.n);
      } finally { await store.close(); }
    } finally { front.heal(); rmSync(dataDir, { recursive: true, force: true }); }
  }, 120_000);
});
