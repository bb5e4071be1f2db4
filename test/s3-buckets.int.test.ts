/** The integration run deletes the buckets of its own run id, objects and all, and no others. */
import { describe, expect, it } from 'vitest';
import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { makeS3Client, s3SettingsFromEnv } from '../services/sources/s3/client.js';
import { bucketOfRun, deleteBucketsOf, testBucket } from './s3.js';

describe('buckets made by a test run', () => {
  it('are emptied and deleted by run id; a bucket of another run stays', async () => {
    const s3 = makeS3Client(s3SettingsFromEnv());
    // run ids of their own: this run's real buckets belong to suites running beside this one
    const tag = `${process.pid}x${Date.now() % 100000}`;
    const ours = `flowlog-probe-rmine${tag}-1`, theirs = `flowlog-probe-rother${tag}-1`;
    try {
      for (const Bucket of [ours, theirs]) {
        await s3.send(new CreateBucketCommand({ Bucket }));
        // more than one page of a listing, so emptying must go round
        for (let i = 0; i < 1005; i += 67) await Promise.all(Array.from({ length: Math.min(67, 1005 - i) }, (_, j) => s3.send(new PutObjectCommand({ Bucket, Key: `k/${i + j}`, Body: 'x' }))));
      }
      expect(await deleteBucketsOf(s3, bucketOfRun(`mine${tag}`))).toBe(1);
      const left = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
      expect(left).not.toContain(ours);
      expect(left).toContain(theirs);
      expect(await deleteBucketsOf(s3, (b) => b === theirs)).toBe(1);
    } finally {
      await s3.send(new DeleteBucketCommand({ Bucket: theirs })).catch(() => undefined);
      s3.destroy();
    }
    expect(testBucket('flowlog-x')).toMatch(/^flowlog-x-r[a-z0-9]+-\d+-\d+$/);
  });
});
