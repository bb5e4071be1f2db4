/**
 * The Kafka source against a real broker and a real S3 server (both started by
 * the vitest global setup through infra/, or named by KAFKA_BROKERS and
 * S3_ENDPOINT): VPC lines, Azure JSON and S3 notifications produced into a
 * topic end as exactly that many rows, the poison messages as exactly that
 * many quarantine rows, and neither a re-delivered notification nor a consumer
 * group that lost its offsets stores anything twice.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createTopic, testTopic } from '../../../../test/kafka.js';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../../test/temp-store.js';
import { benchLines } from '../../../bench/dataset.js';
import { generate, type GenerateSummary } from '../../../generate/index.js';
import type { FlowStore } from '../../../store/store.js';
import { S3Allowlist } from '../../s3/allowlist.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import { KafkaIngest } from '../../../pipeline/kafka-ingest.js';
import { testBucket } from '../../../../test/s3.js';

const topic = testTopic('flowlog-test');
const bucket = testBucket('flowlog-kafka');
const brokers = () => {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: the global setup starts Kafka (infra/kafka/kafka.sh); it must not be missing');
  return process.env.KAFKA_BROKERS.split(',');
};
let dir = '';
let gen: GenerateSummary;
const expected = { rows: 0, rejected: 0, messages: 0 };
const messages: { value: Buffer | string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-kafka-'));
  gen = await generate({ out: dir, flows: 3000, seed: 21, start: new Date('2026-06-01T00:00:00Z'), hours: 2, junk: 0 });
  // 1. VPC lines, 50 per message, half the messages with a header line
  const lines = benchLines(2000, 5);
  for (let i = 0; i < lines.length; i += 50) {
    const body = lines.slice(i, i + 50).join('\n');
    messages.push({ value: i % 100 === 0 ? `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n${body}` : body });
  }
  expected.rows += lines.length;
  // 2. Azure JSON as forwarded by Event Hubs: the generated NSG and VNet blobs
  const azure = gen.files.filter((f) => f.format.startsWith('azure')).slice(0, 6);
  for (const f of azure) { messages.push({ value: readFileSync(join(dir, f.path)) }); expected.rows += f.records; }
  // 3. S3 notifications for generated AWS objects uploaded to the S3 server (AWS event and EventBridge shapes)
  const s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const aws = gen.files.filter((f) => f.format.startsWith('aws')).slice(0, 6);
  for (const [i, f] of aws.entries()) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: f.path, Body: readFileSync(join(dir, f.path)) }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: f.path }));
    const etag = (head.ETag ?? '').replace(/"/g, '');
    const note = i % 2 === 0
      ? { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(f.path).replace(/%2F/g, '/'), size: f.records, eTag: etag } } }] }
      : { 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: bucket }, object: { key: f.path, size: head.ContentLength, etag } } };
    messages.push({ value: JSON.stringify(note) });
    expected.rows += f.records;
  }
  // the same notification delivered twice (S3 delivers at least once)
  messages.push({ value: messages[messages.length - 1]!.value });
  s3.destroy();
  // 4. poison: binary junk, broken JSON, JSON that is no flow log
  messages.push({ value: Buffer.from([0, 1, 2, 0xff, 0xfe, 3, 4]) }, { value: '{"records": [ {"broken' }, { value: '{"hello":"world"}' });
  expected.rejected += 3;
  expected.messages = messages.length;
  const kafka = await createTopic(brokers(), topic);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}, 180_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

async function consumeAll(store: FlowStore, groupId: string, until: (i: KafkaIngest) => boolean, maxMs = 60_000): Promise<KafkaIngest> {
  const s3 = makeS3Client(s3SettingsFromEnv());
  const ingest = new KafkaIngest(store, { kafka: { brokers: brokers() }, topics: [topic], groupId, s3: { client: s3, allow: new S3Allowlist([{ bucket }]) } });
  await ingest.start();
  const t0 = Date.now();
  while (!until(ingest) && Date.now() - t0 < maxMs) await new Promise((r) => setTimeout(r, 200));
  await ingest.stop();
  s3.destroy();
  return ingest;
}

const count = async (store: FlowStore, sql: string) => Number((await store.queryRows<{ n: number }>(sql))[0]!.n);

describe('Kafka source', () => {
  it('stores exactly the produced flows once and quarantines exactly the poison', async () => {
    await withStore(async (store) => {
      const first = await consumeAll(store, `g1-${topic}`, (i) => i.stats.messages + i.stats.skippedMessages >= expected.messages);
      expect(first.stats.messages).toBe(expected.messages);
      expect(await count(store, 'SELECT count() AS n FROM flows')).toBe(expected.rows);
      expect(await count(store, 'SELECT count() AS n FROM flows_rejected')).toBe(expected.rejected);
      const poison = await store.queryRows<{ source: string }>('SELECT source FROM flows_rejected ORDER BY source');
      for (const p of poison) expect(p.source).toMatch(new RegExp(`^kafka:${topic}/\\d@\\d+$`));
      // a new group has no committed offsets and reads from the beginning: the ledger keeps it from storing anything again
      const second = await consumeAll(store, `g2-${topic}`, (i) => i.stats.skippedMessages >= expected.messages);
      expect(second.stats.skippedMessages).toBe(expected.messages);
      expect(await count(store, 'SELECT count() AS n FROM flows')).toBe(expected.rows);
      expect(await count(store, 'SELECT count() AS n FROM flows_rejected')).toBe(expected.rejected);
    });
  });

  it('commits the group\'s offsets once a round is stored: lag tools see it consume, a restart does not re-read', async () => {
    await withStore(async (store) => {
      const group = `g3-${topic}`;
      await consumeAll(store, group, (i) => i.stats.messages + i.stats.skippedMessages >= expected.messages);
      const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        const byPartition = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
        for (const e of ends) expect(byPartition.get(e.partition), `partition ${e.partition}`).toBe(e.high);
      } finally { await admin.disconnect(); }
      // restarted in the same group, it starts at the committed offsets: nothing is fetched again, not even to skip
      const again = await consumeAll(store, group, () => false, 10_000);
      expect(again.stats.skippedMessages + again.stats.messages).toBe(0);
    });
  }, 120_000);
});
