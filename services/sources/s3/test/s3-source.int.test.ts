/**
 * The S3 source against a real S3-compatible server (started by infra/ through
 * the vitest global setup, or the one S3_ENDPOINT names): generated flow logs
 * uploaded in their real key layout are ingested exactly once, a date-range
 * backfill takes exactly its days, and a corrupt object is quarantined.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../../test/temp-store.js';
import { dyingAtWrite } from '../../../../test/dying-store.js';
import { overriding } from '../../../../test/store-overrides.js';
import { HEADER, benchLines } from '../../../bench/dataset.js';
import { backfillStream } from '../s3-uri.js';
import { generate, type GenerateSummary } from '../../../generate/index.js';
import { ingestObjects } from '../../../pipeline/ingest.js';
import { makeS3Client, s3SettingsFromEnv } from '../client.js';
import { parseS3Uri, s3Source } from '../s3-source.js';
import { keyTime } from '../key-date.js';
import { testBucket } from '../../../../test/s3.js';

const bucket = testBucket('flowlog-test');
let gen: GenerateSummary;
let dir: string;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  dir = mkdtempSync(join(tmpdir(), 'flowlog-s3src-'));
  gen = await generate({ out: dir, flows: 6000, seed: 9, start: new Date('2026-05-01T20:00:00Z'), hours: 8, junk: 5 });
  const client = makeS3Client(s3SettingsFromEnv());
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  let i = 0;
  const files = [...gen.files];
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (i < files.length) {
      const f = files[i++]!;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: f.path, Body: readFileSync(join(dir, f.path)) }));
    }
  }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/05/01/corrupt.log.gz', Body: Buffer.from([0x1f, 0x8b, 8, 0, 9, 9, 9]) }));
  client.destroy();
}, 120_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('S3 source', () => {
  it('ingests every object once; a re-run stores nothing', async () => {
    const client = makeS3Client(s3SettingsFromEnv());
    try {
      await withStore(async (store) => {
        const src = s3Source(client, { ...parseS3Uri(`s3://${bucket}/`), concurrency: 6 });
        const s = await ingestObjects(store, src);
        expect(s.rows).toBe(gen.records);
        expect(s.rejected).toBe(gen.junk + 1);
        const [l] = await store.queryRows<{ n: number; e: number }>("SELECT count() AS n, countIf(identity LIKE '%:%') AS e FROM ingest_ledger WHERE source_kind = 's3' AND complete = 1");
        expect(Number(l!.n)).toBeGreaterThanOrEqual(gen.files.length);
        const again = await ingestObjects(store, s3Source(client, parseS3Uri(`s3://${bucket}/`)));
        expect(again.rows).toBe(0);
        expect(again.skipped).toBe(gen.files.length + 1);
      });
    } finally { client.destroy(); }
  });

  it('a date-range backfill takes exactly the objects of those days', async () => {
    const client = makeS3Client(s3SettingsFromEnv());
    try {
      const aws = gen.files.filter((f) => f.path.startsWith('AWSLogs/'));
      const first = aws[0]!.path;
      const regionPrefix = first.slice(0, first.indexOf('/vpcflowlogs/') + '/vpcflowlogs/'.length) + first.split('/')[3] + '/';
      const from = new Date('2026-05-02T00:00:00Z'), to = new Date('2026-05-03T00:00:00Z');
      const want = aws.filter((f) => f.path.startsWith(regionPrefix) && keyTime(f.path)!.getTime() === from.getTime()).reduce((a, f) => a + f.records, 0);
      expect(want).toBeGreaterThan(0);
      await withStore(async (store) => {
        const s = await ingestObjects(store, s3Source(client, { bucket, prefix: regionPrefix, from, to }));
        expect(s.rows).toBe(want);
      });
    } finally { client.destroy(); }
  });
});

describe('S3 backfill restarted after a crash, with new keys among the old', () => {
  /** A bucket of three objects of 600 flows under logs/ (b, d, f), and how to write more and list them. */
  async function threeObjects(name: string, lines: string[]) {
    const client = makeS3Client(s3SettingsFromEnv());
    const b = testBucket(name);
    const put = (tag: string, from: number, n: number) => client.send(new PutObjectCommand({ Bucket: b, Key: `logs/${tag}.log`, Body: `${HEADER}\n${lines.slice(from, from + n).join('\n')}\n` }));
    await client.send(new CreateBucketCommand({ Bucket: b }));
    for (const [i, tag] of ['b', 'd', 'f'].entries()) await put(tag, i * 600, 600);
    const stream = backfillStream({ uri: `s3://${b}/logs/`, endpoint: process.env.S3_ENDPOINT });
    const src = () => s3Source(client, { ...parseS3Uri(`s3://${b}/logs/`), concurrency: 4 });
    return { client, b, put, stream, src };
  }

  it('stores the batches left pending again from the objects their intents name (HEAD with If-Match): every flow once', async () => {
    const { client, b, put, stream, src } = await threeObjects('flowlog-replay', benchLines(2400, 17));
    try {
      const failures: string[] = [];
      for (let dieAt = 1; dieAt <= 6; dieAt++) {
        for (const tag of ['a', 'c', 'e']) await client.send(new DeleteObjectCommand({ Bucket: b, Key: `logs/${tag}.log` }));
        const r = await withStore(async (store) => {
          await expect(ingestObjects(dyingAtWrite(store, dieAt, true).store, src(), { capacity: 1000, stream })).rejects.toThrow(/simulated crash/);
          for (const [i, tag] of ['a', 'c', 'e'].entries()) await put(tag, 1800 + i * 200, 200);
          await ingestObjects(store, src(), { capacity: 1000, stream });
          const [c] = await store.queryRows<{ n: string; d: string }>('SELECT count() AS n, (SELECT count() FROM (SELECT DISTINCT * FROM flows)) AS d FROM flows');
          return { flows: Number(c!.n), distinct: Number(c!.d) };
        });
        if (r.flows !== 2400 || r.distinct !== 2400) failures.push(`crash at write ${dieAt}: ${r.flows} flows, ${r.distinct} distinct`);
      }
      expect(failures).toEqual([]);
    } finally { client.destroy(); }
  });

  it('an object of a batch left pending replaced since (another ETag): the run says so and goes on, and the next has nothing pending', async () => {
    const { client, put, stream, src } = await threeObjects('flowlog-replaced', benchLines(1800, 19));
    try {
      await withStore(async (store) => {
        // the second batch (b's tail, d's head) is in flight when the run dies: its rows land, its ledger rows do not
        let inserts = 0;
        const dying = overriding(store, { insertPrepared: async (p, t) => { await store.insertPrepared(p, t); if (++inserts === 2) throw new Error('simulated crash'); } });
        await expect(ingestObjects(dying, src(), { capacity: 1000, stream })).rejects.toThrow(/simulated crash/);
        await put('d', 0, 100); // d replaced
        const s = await ingestObjects(store, src(), { capacity: 1000, stream });
        expect(s.warnings.join('\n')).toMatch(/could not be read again as they were/);
        const again = await ingestObjects(store, src(), { capacity: 1000, stream });
        expect(again.warnings).toEqual([]);
        expect(again.rows).toBe(0);
      });
    } finally { client.destroy(); }
  });
});
