/**
 * An S3 notification on Kafka whose object the S3 server stops serving
 * half-way: the round is not committed and is run again, the same way, until
 * S3 answers; the batches it had already stored come out with the same dedup
 * tokens, so every flow is stored once and nothing is quarantined. Against
 * the real broker and the real S3 server, through a front that breaks the
 * object's connections.
 */
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Front, type FlakyFront } from '../../../../test/flaky-front.js';
import { waitFor } from '../../../../test/wait.js';
import { createTopic, testTopic } from '../../../../test/kafka.js';
import { withStore } from '../../../../test/temp-store.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { S3Allowlist } from '../../s3/allowlist.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import { KafkaIngest } from '../../../pipeline/kafka-ingest.js';
import { testBucket } from '../../../../test/s3.js';

const topic = testTopic('flowlog-s3-outage');
const bucket = testBucket('flowlog-outage');
const OBJECTS = [{ key: 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/x.log.gz', lines: 30_000 }, { key: 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/y.log.gz', lines: 12_000 }];
const LINE_MESSAGES = 4, LINES_PER_MESSAGE = 500;
let front: FlakyFront;

beforeAll(async () => {
  if (!process.env.KAFKA_BROKERS || !process.env.S3_ENDPOINT) throw new Error('KAFKA_BROKERS and S3_ENDPOINT must be set: the global setup starts both servers (infra/)');
  const s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const notes: string[] = [];
  for (const [i, o] of OBJECTS.entries()) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: gzipSync(`${HEADER}\n${benchLines(o.lines, 40 + i).join('\n')}\n`) }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.key }));
    notes.push(JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: o.key, size: head.ContentLength, eTag: (head.ETag ?? '').replace(/"/g, '') } } }] }));
  }
  s3.destroy();
  // lines, the object that will break, lines, the other object, lines: one partition, so one round holds them all
  const lines = (i: number) => ({ value: `${HEADER}\n${benchLines(LINES_PER_MESSAGE, 60 + i).join('\n')}` });
  const kafka = await createTopic(process.env.KAFKA_BROKERS.split(','), topic, 1);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [lines(0), { value: notes[0]! }, lines(1), lines(2), { value: notes[1]! }, lines(3)] });
  await producer.disconnect();
  front = await startS3Front();
}, 120_000);
afterAll(async () => { await front?.close(); });

describe('Kafka source, S3 failing', () => {
  it('retries the round until S3 answers: every flow once, nothing quarantined', async () => {
    const total = OBJECTS.reduce((a, o) => a + o.lines, 0) + LINE_MESSAGES * LINES_PER_MESSAGE;
    const s3 = makeS3Client({ ...s3SettingsFromEnv(), endpoint: `http://127.0.0.1:${front.port}` });
    front.breakPath(OBJECTS[0]!.key, 150 << 10);
    try {
      await withStore(async (store) => {
        // small batches: several are stored from the broken object before it fails, and must not be stored twice
        const ingest = new KafkaIngest(store, { kafka: { brokers: process.env.KAFKA_BROKERS!.split(',') }, topics: [topic], groupId: `g-${topic}`, s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, capacity: 4000 });
        await ingest.start();
        try {
          await waitFor(() => ingest.stats.sourceRetries >= 2, 'the round to be retried');
          const stored = Number((await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows'))[0]!.n);
          expect(stored).toBeGreaterThan(LINES_PER_MESSAGE); // batches of the round were stored before the object broke
          expect(ingest.stats.batches).toBe(0); // but the round is not done, so nothing is committed
          front.heal();
          await waitFor(() => ingest.stats.batches >= 1, 'the round to be stored');
        } finally { await ingest.stop(); }
        expect(ingest.stats.messages).toBe(6);
        const [r] = await store.queryRows<{ n: string; q: string }>('SELECT count() AS n, (SELECT count() FROM flows_rejected) AS q FROM flows');
        expect(Number(r!.n)).toBe(total);
        expect(Number(r!.q)).toBe(0);
      });
    } finally { front.heal(); s3.destroy(); }
  });
});
