/**
 * A crash in a round that holds re-delivered S3 notifications: the round
 * skipped an object stored by an earlier round, and the second notification
 * of an object it stored itself, stored its first batch, then died before
 * committing. The restarted consumer replays the round's
 * intent and must skip the same object, or its batches would differ from the
 * first attempt's (new dedup tokens) and flows would be stored twice. Real
 * broker, real S3 server; the crash is a failure thrown after the first batch
 * of the round is stored, which kafkajs treats like a dead consumer.
 */
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createTopic, testTopic } from '../../../../test/kafka.js';
import { withStore } from '../../../../test/temp-store.js';
import { waitFor } from '../../../../test/wait.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import type { FlowStore } from '../../../store/store.js';
import { S3Allowlist } from '../../s3/allowlist.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import { KafkaIngest } from '../../../pipeline/kafka-ingest.js';
import { testBucket } from '../../../../test/s3.js';

const topic = testTopic('flowlog-replay');
const bucket = testBucket('flowlog-replay');
const KEY = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/02/x.log.gz';
const KEY_Y = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/02/y.log.gz';
const X_LINES = 3000, Y_LINES = 1200, L_LINES = 2000;

const flows = async (store: FlowStore) => Number((await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows'))[0]!.n);

describe('Kafka replay after a crash', () => {
  it('skips the objects the crashed round skipped: every flow once', async () => {
    if (!process.env.KAFKA_BROKERS || !process.env.S3_ENDPOINT) throw new Error('KAFKA_BROKERS and S3_ENDPOINT must be set: the global setup starts both servers (infra/)');
    const brokers = process.env.KAFKA_BROKERS.split(',');
    const s3 = makeS3Client(s3SettingsFromEnv());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const upload = async (key: string, lines: number, seed: number) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(`${HEADER}\n${benchLines(lines, seed).join('\n')}\n`) }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key, size: head.ContentLength, eTag: (head.ETag ?? '').replace(/"/g, '') } } }] });
    };
    const note = await upload(KEY, X_LINES, 71), noteY = await upload(KEY_Y, Y_LINES, 74);
    const lines = (seed: number) => ({ value: `${HEADER}\n${benchLines(L_LINES, seed).join('\n')}` });
    const kafka = await createTopic(brokers, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    const consumer = (onBatch?: () => void) => new KafkaIngest(store!, { kafka: { brokers }, topics: [topic], groupId: `g-${topic}`, s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, capacity: 1500, ...(onBatch ? { onBatch } : {}) });
    let store: FlowStore | undefined;
    try {
      await withStore(async (st) => {
        store = st;
        // 1. the object arrives and is stored
        await producer.send({ topic, messages: [{ value: note }] });
        const first = consumer();
        await first.start();
        await waitFor(() => first.stats.batches >= 1, 'the first round');
        await first.stop();
        expect(await flows(st)).toBe(X_LINES);
        // 2. lines, the same notification again (S3 delivers at least once), a new object notified twice in the round,
        // lines: the consumer dies after the round's first batch
        await producer.send({ topic, messages: [lines(72), { value: note }, { value: noteY }, lines(73), { value: noteY }] });
        // every attempt dies after its first batch (kafkajs restarts a failed consumer; it must not get further)
        let batches = 0;
        const crashing = consumer(() => { batches++; throw new Error('crash after the first batch'); });
        await crashing.start();
        await waitFor(async () => batches >= 1 && (await flows(st)) > X_LINES, 'the first batch of the round');
        await crashing.stop();
        expect(crashing.stats.batches).toBe(0); // the round was not committed
        // 3. a new consumer replays the round's intent
        const replay = consumer();
        await replay.start();
        await waitFor(() => replay.stats.batches >= 1, 'the replayed round');
        await replay.stop();
        expect(await flows(st)).toBe(X_LINES + 2 * L_LINES + Y_LINES);
      });
    } finally {
      await producer.disconnect();
      s3.destroy();
    }
  });
});
