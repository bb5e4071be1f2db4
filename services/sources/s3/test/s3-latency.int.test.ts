/**
 * Many small objects from a real S3 server behind a front that holds every
 * request back 20 ms: every flow is stored once and a re-run stores nothing
 * (correctness only: the rate is measured by services/bench/s3-latency-bench.ts,
 * never here). Also: the next listing page is asked for while the page before
 * is still being fetched, and a small object, read whole in one GET, is
 * resumed from where its connection broke.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Front, type FlakyFront } from '../../../../test/flaky-front.js';
import { startS3LatencyFront, type LatencyFront } from '../../../../test/latency-front.js';
import { withStore } from '../../../../test/temp-store.js';
import { HEADER, benchLines } from '../../../bench/dataset.js';
import { ingestObjects } from '../../../pipeline/ingest.js';
import { makeS3Client, s3SettingsFromEnv } from '../client.js';
import { s3Source, WHOLE_BELOW } from '../s3-source.js';
import { testBucket } from '../../../../test/s3.js';

const bucket = testBucket('flowlog-latency');
// more than one listing page (1000 keys)
const OBJECTS = 1100, ROWS = 5;
const PREFIX = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/03/';
const key = (i: number) => `${PREFIX}${String(1 + (i % 28)).padStart(2, '0')}/123456789012_vpcflowlogs_us-east-1_fl-0abc_20260301T0000Z_${String(i).padStart(5, '0')}.log.gz`;
const ONE = 'one/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/03/01/one.log.gz';
const ONE_LINES = 1500;
let slow: LatencyFront;
let flaky: FlakyFront;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  const client = makeS3Client(s3SettingsFromEnv());
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const lines = benchLines(OBJECTS * ROWS, 13);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < OBJECTS; i = next++) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: gzipSync(`${HEADER}\n${lines.slice(i * ROWS, (i + 1) * ROWS).join('\n')}\n`) }));
    }
  }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: ONE, Body: gzipSync(`${HEADER}\n${benchLines(ONE_LINES, 14).join('\n')}\n`) }));
  client.destroy();
  slow = await startS3LatencyFront(20);
  flaky = await startS3Front();
}, 120_000);
afterAll(async () => { await slow?.close(); await flaky?.close(); });

const clientVia = (port: number) => makeS3Client({ ...s3SettingsFromEnv(), endpoint: `http://127.0.0.1:${port}` });
const count = async (store: { queryRows<T>(sql: string): Promise<T[]> }, sql: string) => Number((await store.queryRows<{ c: string }>(sql))[0]!.c);

describe('S3 with 20 ms per request', () => {
  it('stores every flow of many small objects once; a re-run skips them all', async () => {
    const client = clientVia(slow.port);
    try {
      await withStore(async (store) => {
        const first = await ingestObjects(store, s3Source(client, { bucket, prefix: PREFIX }), { capacity: 2000 });
        expect(first.objects).toBe(OBJECTS);
        expect(first.rows).toBe(OBJECTS * ROWS);
        expect(first.unfinished).toEqual([]);
        expect(slow.requests).toBeGreaterThan(OBJECTS); // every GET went through the front
        expect(await count(store, 'SELECT count() AS c FROM flows')).toBe(OBJECTS * ROWS);
        expect(await count(store, 'SELECT count() AS c FROM (SELECT DISTINCT * FROM flows)')).toBe(OBJECTS * ROWS);
        const again = await ingestObjects(store, s3Source(client, { bucket, prefix: PREFIX }), { capacity: 2000 });
        expect(again.skipped).toBe(OBJECTS);
        expect(again.rows).toBe(0);
      });
    } finally { client.destroy(); }
  }, 180_000);

  it('asks for the next listing page before the objects of the page before are all fetched', async () => {
    const client = clientVia(flaky.port);
    const seen = flaky.requests.length;
    try {
      await withStore(async (store) => {
        const s = await ingestObjects(store, s3Source(client, { bucket, prefix: PREFIX, concurrency: 16 }), { capacity: 2000 });
        expect(s.rows).toBe(OBJECTS * ROWS);
      });
    } finally { client.destroy(); }
    const heads = flaky.requests.slice(seen).map((h) => h.split('\r\n')[0]!);
    const secondPage = heads.findIndex((h) => h.includes('continuation-token='));
    // the 1000th key, the last of the first page, in listing order
    const lastOfPage = [...Array(OBJECTS).keys()].map(key).sort()[999]!;
    const lastGet = heads.findIndex((h) => h.startsWith('GET') && h.includes(encodeURIComponent(lastOfPage.split('/').pop()!)));
    expect(secondPage).toBeGreaterThan(0);
    expect(lastGet).toBeGreaterThan(0);
    expect(secondPage).toBeLessThan(lastGet);
  }, 180_000);

  it('reads a small object whole and resumes it where the connection broke: every row once', async () => {
    const client = clientVia(flaky.port);
    const seen = flaky.requests.length;
    try {
      await withStore(async (store) => {
        const [obj] = await (async () => { for await (const p of s3Source(client, { bucket, prefix: 'one/' }).list()) return p; return []; })();
        expect(obj!.size).toBeLessThan(WHOLE_BELOW); // read whole, not streamed
        flaky.cutNextAfter(obj!.size >> 1);
        const s = await ingestObjects(store, s3Source(client, { bucket, prefix: 'one/', body: { backoffMs: 10 } }));
        expect(s.rows).toBe(ONE_LINES);
        expect(s.rejected).toBe(0);
        expect(s.unfinished).toEqual([]);
      });
    } finally { client.destroy(); }
    const ranged = flaky.requests.slice(seen).filter((h) => /\r\nrange: bytes=\d+-/i.test(h));
    expect(ranged).toHaveLength(1);
  }, 120_000);
});
