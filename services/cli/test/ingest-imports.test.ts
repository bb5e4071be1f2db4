/**
 * `flowlog ingest` of a local path loads none of the network clients: Kafka,
 * SQS and the S3 SDK took ~150 ms of an ingest's start (an empty ingest went
 * from 1.05-1.27 s to 0.71-0.94 s without them), which a small dataset's rate
 * pays in full. They came in through a start-of-run check that imported the
 * whole source wiring (run/sources.ts) for one name. `flowlog ingest s3://`
 * loads the S3 client itself, when it needs it.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

describe('what flowlog ingest loads', () => {
  it('loads no Kafka, SQS or S3 client for the command itself', async () => {
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).filter((p) => /[\\/]node_modules[\\/](kafkajs|@aws-sdk[\\/]client-(sqs|s3))[\\/]/.test(p));
    expect(loaded()).toEqual([]); // nothing before: the check below means something
    await import('../commands/ingest.js');
    expect(loaded()).toEqual([]);
    // and the check does see them once they are loaded
    await import('../../run/sources.js');
    expect(loaded().length).toBeGreaterThan(0);
  });
});
