/**
 * Notifications on Kafka are untrusted: one naming an object outside the
 * source's s3.allow list is never fetched, only quarantined NOT_ALLOWED and
 * counted. Against the real broker and the real S3 server, the source built
 * from its configuration as `flowlog run` builds it, through a front that
 * keeps every request S3 received.
 */
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../../schemas/config.js';
import { startS3Front, type FlakyFront } from '../../../../test/flaky-front.js';
import { createTopic, testTopic } from '../../../../test/kafka.js';
import { withStore } from '../../../../test/temp-store.js';
import { waitFor } from '../../../../test/wait.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { kafkaSource } from '../../../run/sources.js';
import { telemetryEvents } from '../../../telemetry/events.js';
import { standardMetrics } from '../../../telemetry/metrics.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import { testBucket } from '../../../../test/s3.js';

const topic = testTopic('flowlog-allow');
const bucket = testBucket('flowlog-allow');
const otherBucket = testBucket('flowlog-forbidden'); // never created: nothing about it may be asked of S3
const ALLOWED = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/ok.log.gz';
const FORBIDDEN = 'secrets/payroll.log.gz'; // exists and holds flows: stored if it were ever fetched
const TRAVERSAL = 'AWSLogs/../secrets/payroll.log.gz';
let front: FlakyFront;

const note = (b: string, key: string, etag = 'x', size = 1) =>
  JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: b }, object: { key, size, eTag: etag } } }] });

beforeAll(async () => {
  if (!process.env.KAFKA_BROKERS || !process.env.S3_ENDPOINT) throw new Error('KAFKA_BROKERS and S3_ENDPOINT must be set: the global setup starts both servers (infra/)');
  const s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ALLOWED, Body: gzipSync(`${HEADER}\n${benchLines(700, 3).join('\n')}\n`) }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: FORBIDDEN, Body: gzipSync(`${HEADER}\n${benchLines(300, 4).join('\n')}\n`) }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: ALLOWED }));
  s3.destroy();
  const kafka = await createTopic(process.env.KAFKA_BROKERS.split(','), topic, 1);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [
    { value: note(bucket, ALLOWED, (head.ETag ?? '').replace(/"/g, ''), head.ContentLength) },
    { value: note(bucket, FORBIDDEN) },
    { value: note(otherBucket, ALLOWED) },
    { value: note(bucket, TRAVERSAL) },
  ] });
  await producer.disconnect();
  front = await startS3Front();
}, 120_000);
afterAll(async () => { await front?.close(); });

describe('Kafka S3 notifications and the s3.allow list', () => {
  it('stores the allowed object, never requests the others and quarantines them NOT_ALLOWED, counted by reason', async () => {
    await withStore(async (store) => {
      const cfg = configSchema.parse({ sources: [{
        kind: 'kafka', name: 'notes', brokers: process.env.KAFKA_BROKERS!.split(','), topics: [topic], group_id: `g-${topic}`, session_timeout: '10s',
        s3: { endpoint: `http://127.0.0.1:${front.port}`, access_key: { env: 'S3_ACCESS_KEY' }, secret_key: { env: 'S3_SECRET_KEY' },
          allow: [{ bucket, prefix: 'AWSLogs/' }] },
      }] });
      const src = cfg.sources[0]!;
      if (src.kind !== 'kafka') throw new Error('a kafka source');
      const metrics = standardMetrics();
      const source = kafkaSource(src, 'sources[0]', { store, events: telemetryEvents(metrics), enrich: { apply: () => undefined } });
      await source.start();
      const count = async (sql: string) => Number((await store.queryRows<{ n: number }>(sql))[0]!.n);
      try {
        await waitFor(async () => await count('SELECT count() AS n FROM flows_rejected') >= 3 && await count('SELECT count() AS n FROM flows') >= 700, 'the round to be stored');
      } finally { await source.stop(); }

      expect(await count('SELECT count() AS n FROM flows')).toBe(700);
      const rejects = await store.queryRows<{ source: string; reason: string; detail: string }>('SELECT source, reason, detail FROM flows_rejected ORDER BY source');
      expect(rejects.map((r) => [r.source, r.reason])).toEqual([
        [`s3://${bucket}/${TRAVERSAL}`, 'NOT_ALLOWED'],
        [`s3://${bucket}/${FORBIDDEN}`, 'NOT_ALLOWED'],
        [`s3://${otherBucket}/${ALLOWED}`, 'NOT_ALLOWED'],
      ]);
      for (const r of rejects) expect(r.detail).toMatch(new RegExp(`announced by kafka:${topic}/0@\\d+`));
      // S3 was asked for the allowed object, and for nothing else
      const paths = front.requests.map((h) => h.split('\r\n')[0]!);
      expect(paths.some((p) => p.includes('ok.log.gz'))).toBe(true);
      expect(paths.filter((p) => p.includes('secrets') || p.includes(otherBucket) || p.includes('..'))).toEqual([]);
      expect(await metrics.render()).toMatch(/flowlog_records_rejected_total\{source="notes",reason="NOT_ALLOWED"\} 3\b/);
      // nothing outside the list reached the ledger either (a later allowlist change can still read it)
      expect(await count(`SELECT count() AS n FROM ingest_ledger WHERE object LIKE '%secrets%' OR object LIKE '%${otherBucket}%'`)).toBe(0);
    });
  }, 120_000);
});
