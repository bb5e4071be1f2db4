/**
 * SQS notifications -> store on small objects, the way `flowlog run` builds
 * the source (run/sources.ts, sqsSource), beside the same objects listed from
 * their bucket and ingested (the S3 source's own rate), in the same child
 * process with a fresh embedded store each. On the embedded store a round
 * gathers up to 1000 messages and its objects share batches, written ahead
 * (pipeline/shared-rounds.ts): this row shows what the notifications, the
 * rounds' ledger rows and their GETs cost against a listing.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../schemas/config.js';
import { ingestObjects } from '../pipeline/ingest.js';
import { sqsSource } from '../run/sources.js';
import { makeS3Client, s3SettingsFromEnv } from '../sources/s3/client.js';
import { s3Source } from '../sources/s3/s3-source.js';
import { ChdbStore } from '../store/chdb-store.js';
import { telemetryEvents } from '../telemetry/events.js';
import { standardMetrics } from '../telemetry/metrics.js';
import { REPO } from './engine-compare.js';
import { measureCall } from './process-meter.js';
import { ensureObjects, smallObjectsBucket } from './s3-latency-bench.js';

export interface SqsBenchResult { objects: number; flowsPerSec: number; listedFlowsPerSec: number }

const FLOWS = 100;
/** Enough notifications for several rounds of 1000 (the embedded store's default round_messages). */
export const SQS_OBJECTS = 5000;
const sqsClient = (): SQSClient => new SQSClient({ endpoint: process.env.SQS_ENDPOINT, region: process.env.SQS_REGION ?? 'us-east-1',
  credentials: { accessKeyId: process.env.SQS_ACCESS_KEY ?? 'flowlog', secretAccessKey: process.env.SQS_SECRET_KEY ?? 'flowlog-secret' } });

/** An S3 event notification of one created object, as S3 sends it to SQS. */
const notification = (bucket: string, key: string, etag: string, size: number): string => JSON.stringify({ Records: [{
  eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put',
  s3: { s3SchemaVersion: '1.0', bucket: { name: bucket }, object: { key, size, eTag: etag } },
}] });

/** `objects` small objects (uploaded once, kept), a notification each in a queue of this run's, consumed in a child. */
export async function sqsToStore(scratch: string, objects = SQS_OBJECTS, log: (s: string) => void = () => undefined): Promise<SqsBenchResult> {
  const s3 = makeS3Client(s3SettingsFromEnv());
  const sqs = sqsClient();
  const bucket = smallObjectsBucket(objects, FLOWS);
  let queueUrl: string | undefined, dlqUrl: string | undefined;
  try {
    await ensureObjects(s3, bucket, objects, FLOWS, log);
    // configured as the docs ask (a dead-letter queue), so the source has nothing to warn about
    const name = `flowlog-bench-${process.pid}-${Date.now() % 100000}`;
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: {
      VisibilityTimeout: '120', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
    } }))).QueueUrl!;
    const listed: { key: string; etag: string; size: number }[] = [];
    for (let token: string | undefined; ;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'AWSLogs/', ContinuationToken: token }));
      for (const o of page.Contents ?? []) listed.push({ key: o.Key!, etag: (o.ETag ?? '').replace(/"/g, ''), size: o.Size! });
      if (!page.IsTruncated) break;
      token = page.NextContinuationToken;
    }
    for (let i = 0; i < listed.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: listed.slice(i, i + 10).map((o, j) => ({ Id: String(j), MessageBody: notification(bucket, o.key, o.etag, o.size) })) }));
    }
    const flows = listed.length * FLOWS;
    // a round's info line per receive would flood the bench's output: warnings and errors only
    const r = await measureCall<{ sqsSeconds: number; listedSeconds: number }>(fileURLToPath(import.meta.url), `m.sqsConsume(${JSON.stringify({ queueUrl, bucket, scratch, flows })})`,
      { cwd: REPO, env: { ...process.env, FLOWLOG_LOG_LEVEL: 'warn' }, onStderr: (c) => { process.stderr.write(c); } });
    return { objects: listed.length, flowsPerSec: Math.round(flows / r.result.sqsSeconds), listedFlowsPerSec: Math.round(flows / r.result.listedSeconds) };
  } finally {
    for (const url of [queueUrl, dlqUrl]) if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
    s3.destroy();
    sqs.destroy();
  }
}

/** The child's half: the queue drained into one fresh store, then the bucket listed into another. */
export async function sqsConsume(o: { queueUrl: string; bucket: string; scratch: string; flows: number }): Promise<{ sqsSeconds: number; listedSeconds: number }> {
  const sqs = sqsClient();
  const cfg = configSchema.parse({ sources: [{
    kind: 'sqs', name: 'bench', queue_url: o.queueUrl, endpoint: process.env.SQS_ENDPOINT, region: process.env.SQS_REGION ?? 'us-east-1',
    access_key: { env: 'SQS_ACCESS_KEY' }, secret_key: { env: 'SQS_SECRET_KEY' }, wait_time: '1s',
    s3: { endpoint: process.env.S3_ENDPOINT, access_key: { env: 'S3_ACCESS_KEY' }, secret_key: { env: 'S3_SECRET_KEY' }, allow: [{ bucket: o.bucket }] },
  }] });
  const src = cfg.sources[0]!;
  if (src.kind !== 'sqs') throw new Error('an sqs source');
  const timed = async (dir: string, work: (store: ChdbStore) => Promise<void>): Promise<number> => {
    const store = new ChdbStore(join(o.scratch, dir));
    try {
      await store.migrate();
      const t0 = performance.now();
      await work(store);
      const seconds = (performance.now() - t0) / 1000;
      const n = Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n);
      if (n !== o.flows) throw new Error(`the SQS bench stored ${n} of ${o.flows} flows in ${dir}`);
      return seconds;
    } finally {
      await store.close();
      rmSync(join(o.scratch, dir), { recursive: true, force: true });
    }
  };
  try {
    const sqsSeconds = await timed('sqs-store', async (store) => {
      const source = sqsSource(src, 'sources[0]', { store, events: telemetryEvents(standardMetrics()), enrich: { apply: () => undefined } });
      await source.start();
      try {
        // drained: every message deleted, which happens once its object is stored; a message kept (its object
        // not delivered) would come back forever, so the bench gives up after 10 minutes, saying so
        for (const t0 = performance.now(); ;) {
          if (performance.now() - t0 > 600_000) throw new Error('the SQS bench queue did not drain in 10 minutes (see the sqs.message_kept warnings above)');
          const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: o.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {};
          if (Number(a.ApproximateNumberOfMessages ?? 1) === 0 && Number(a.ApproximateNumberOfMessagesNotVisible ?? 1) === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally { await source.stop(); }
    });
    const s3 = makeS3Client(s3SettingsFromEnv());
    try {
      const listedSeconds = await timed('listed-store', async (store) => { await ingestObjects(store, s3Source(s3, { bucket: o.bucket, prefix: 'AWSLogs/' })); });
      return { sqsSeconds, listedSeconds };
    } finally { s3.destroy(); }
  } finally { sqs.destroy(); }
}
