/**
 * An S3 source in poll mode: objects that appear between rounds are picked
 * up by the next round, and nothing already stored is stored again (the
 * ledger is the durable cursor). Real S3 server from the global setup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3Front } from '../../../test/flaky-front.js';
import { waitFor } from '../../../test/wait.js';
import { parseConfig } from '../../config/load-config.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { makeS3Client, s3SettingsFromEnv } from '../../sources/s3/client.js';
import { ChdbStore } from '../../store/chdb-store.js';
import { runConfigured } from '../runner.js';
import { testBucket } from '../../../test/s3.js';

const dir = mkdtempSync(join(tmpdir(), 'flowlog-poll-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stored = (text: string) => Number(/flowlog_flows_stored_total\{source="poll"\} (\d+)/.exec(text)?.[1] ?? 0);

describe('S3 poll mode', () => {
  it('picks up new objects each round and never stores one twice', { timeout: 120_000 }, async () => {
    if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server; it must not be missing');
    const bucket = testBucket('flowlog-poll');
    const s3 = makeS3Client(s3SettingsFromEnv());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const lines = benchLines(4000, 13);
    const put = (i: number) => s3.send(new PutObjectCommand({
      Bucket: bucket, Key: `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/11/24/part-${i}.log.gz`,
      Body: gzipSync(`${HEADER}\n${lines.slice(i * 1000, (i + 1) * 1000).join('\n')}\n`),
    }));
    await put(0); await put(1);
    process.env.FLOWLOG_TEST_S3_KEY = process.env.S3_ACCESS_KEY;
    process.env.FLOWLOG_TEST_S3_SECRET = process.env.S3_SECRET_KEY;
    const cfg = parseConfig([
      'store: { kind: embedded, data_dir: ' + JSON.stringify(join(dir, 'store')) + ' }',
      'sources:',
      `  - { kind: s3, name: poll, mode: poll, poll_interval: 5s, uri: "s3://${bucket}/AWSLogs/", endpoint: "${process.env.S3_ENDPOINT}",`,
      '      access_key: { env: FLOWLOG_TEST_S3_KEY }, secret_key: { env: FLOWLOG_TEST_S3_SECRET } }',
    ].join('\n'));
    const running = await runConfigured(cfg);
    const waitForStored = (n: number) => waitFor(async () => stored(await running.metrics.render()) >= n, `${n} flows stored`, 30_000);
    const poll = 5_000;
    await waitForStored(2000);
    await put(2); await put(3); // appear while the source polls
    await waitForStored(4000);
    await new Promise((r) => setTimeout(r, 1500)); // more rounds: nothing new must be stored
    const t1 = Date.now();
    await running.stop();
    expect(Date.now() - t1, 'stop must not wait out the poll interval').toBeLessThan(poll);
    s3.destroy();
    expect(stored(await running.metrics.render())).toBe(4000);
    const store = new ChdbStore(join(dir, 'store'));
    try {
      const [c] = await store.queryRows<{ n: number; objects: number }>('SELECT count() AS n, uniqExact(source) AS objects FROM flows');
      expect({ rows: Number(c!.n), objects: Number(c!.objects) }).toEqual({ rows: 4000, objects: 4 });
    } finally { await store.close(); }
  });

  it('lists only the day folders from its cursor on, and still finds late deliveries', { timeout: 120_000 }, async () => {
    if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server; it must not be missing');
    const bucket = testBucket('flowlog-cursor');
    const region = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/';
    const s3 = makeS3Client(s3SettingsFromEnv());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const today = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
    const day = (ago: number) => new Date(today.getTime() - ago * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '/');
    const lines = benchLines(5000, 17);
    let n = 0;
    const put = (ago: number) => {
      const i = n++;
      return s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${region}${day(ago)}/obj-${i}.log.gz`, Body: gzipSync(`${HEADER}\n${lines.slice(i * 1000, (i + 1) * 1000).join('\n')}\n`) }));
    };
    await put(4); await put(3); await put(0);
    const front = await startS3Front();
    // the day folders each ListObjects asked for, in order
    const listed = () => front.requests.map((r) => /[?&]prefix=([^& ]+)/.exec(r.split('\r\n')[0]!)?.[1]).filter((p): p is string => p !== undefined)
      .map((p) => decodeURIComponent(p).slice(region.length, region.length + 10));
    const cfg = parseConfig([
      `store: { kind: embedded, data_dir: ${JSON.stringify(join(dir, 'cursor-store'))} }`,
      'sources:',
      `  - { kind: s3, name: poll, mode: poll, poll_interval: 2s, from: "${new Date(today.getTime() - 6 * 86_400_000).toISOString()}",`,
      `      uri: "s3://${bucket}/${region}", endpoint: "http://127.0.0.1:${front.port}",`,
      '      access_key: { env: FLOWLOG_TEST_S3_KEY }, secret_key: { env: FLOWLOG_TEST_S3_SECRET } }',
    ].join('\n'));
    process.env.FLOWLOG_TEST_S3_KEY = process.env.S3_ACCESS_KEY;
    process.env.FLOWLOG_TEST_S3_SECRET = process.env.S3_SECRET_KEY;
    const running = await runConfigured(cfg);
    try {
      await waitFor(async () => stored(await running.metrics.render()) >= 3000, 'the first round');
      // the first round: every day folder from `from` (6 days ago) to today
      expect(listed()).toEqual([6, 5, 4, 3, 2, 1, 0].map(day));
      const firstRound = listed().length;
      await put(1); // delivered late into yesterday's folder
      await waitFor(async () => stored(await running.metrics.render()) >= 4000, 'the late object');
      await waitFor(() => listed().length >= firstRound + 4, 'two more rounds');
      // later rounds: the cursor is today, the lookback one day: yesterday and today only
      // (a round that starts after midnight UTC also lists the new day)
      expect(new Set(listed().slice(firstRound).filter((p) => p !== day(-1)))).toEqual(new Set([day(1), day(0)]));
    } finally {
      await running.stop();
      await front.close();
      s3.destroy();
    }
    expect(stored(await running.metrics.render())).toBe(4000);
  });
});
