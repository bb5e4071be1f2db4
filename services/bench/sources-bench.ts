/**
 * The sources half of `npm run bench`: the server store's insert formats
 * compared over real HTTP (the chdb-backed ClickHouse endpoint), Kafka ->
 * store and S3 gzip objects -> store, each into a fresh embedded store. The
 * Kafka broker and S3 server are the real ones from infra/ (or the env's).
 */
import { copyFileSync, linkSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { FlowBatch } from '../core/flow-batch.js';
import { RejectBatch } from '../core/rejects.js';
import { ingestObjects, ingestPath } from '../pipeline/ingest.js';
import { AwsTextParser } from '../parse/aws/text-parser.js';
import { KafkaIngest, type KafkaIngestOptions } from '../pipeline/kafka-ingest.js';
import { resolveConfig } from '../config/resolve.js';
import { makeS3Client, s3SettingsFromEnv } from '../sources/s3/client.js';
import { s3Source } from '../sources/s3/s3-source.js';
import { ChdbStore } from '../store/chdb-store.js';
import { rowToRecord } from '../core/record.js';
import { FLOW_COLUMNS } from '../../schemas/flow.js';
import { MEMORY_PROFILES } from '../../schemas/config.js';
import { encodeArrow } from './arrow-encoder.js';
import { ClickHouseServerStore } from '../store/clickhouse-server-store.js';
import type { BenchFiles } from './dataset.js';
import { REPO } from './engine-compare.js';
import { measureCall } from './process-meter.js';

export type InsertFormat = 'Native' | 'ArrowStream' | 'JSONEachRow';

/** Flows/s of encode + insert over HTTP for each format, on the first `rows` lines. */
export async function insertFormats(files: BenchFiles, scratch: string, rows: number, log: (s: string) => void): Promise<Record<InsertFormat, number>> {
  const { startChdbHttpServer } = await import('../../test/clickhouse-http/server.js');
  const server = await startChdbHttpServer({ dataDir: join(scratch, 'http') });
  const store = new ClickHouseServerStore({ url: server.url });
  const out = {} as Record<InsertFormat, number>;
  try {
    await store.migrate();
    const buf = readFileSync(files.text);
    for (const format of ['Native', 'ArrowStream', 'JSONEachRow'] as const) {
      await store.exec('TRUNCATE TABLE flows');
      const batch = new FlowBatch(262_144);
      const parser = new AwsTextParser('bench');
      let pos = 0, done = 0, ms = 0, k = 0;
      while (pos < buf.length && done < rows) {
        pos = parser.parse(buf, pos, buf.length, true, batch, new RejectBatch());
        const t0 = performance.now();
        await insertAs(store, batch, `${format}-${k++}`, format);
        ms += performance.now() - t0;
        done += batch.length;
        batch.reset();
      }
      out[format] = Math.round(done / (ms / 1000));
      log(`  ${format.padEnd(12)} ${out[format].toLocaleString('en-US')} flows/s (encode + HTTP insert, gzip body)`);
    }
  } finally {
    await store.close();
    await server.close();
  }
  return out;
}

/**
 * Flows/s of an ingest of the large set (in this process) into the endpoint with
 * 1, then each N, batches in flight: the reference is the first. Each run reads
 * the objects under names of its own, so no batch shares a dedup token with an
 * earlier run's, and starts on an empty flows table.
 */
export async function serverInflight(files: BenchFiles, scratch: string, inflight: readonly number[], log: (s: string) => void): Promise<Record<string, number>> {
  const { startChdbHttpServer } = await import('../../test/clickhouse-http/server.js');
  const server = await startChdbHttpServer({ dataDir: join(scratch, 'http-inflight') });
  const out: Record<string, number> = {};
  try {
    const admin = new ClickHouseServerStore({ url: server.url });
    await admin.migrate();
    for (const n of inflight) {
      await admin.exec('TRUNCATE TABLE flows');
      const dir = join(scratch, `inflight-${n}`);
      mkdirSync(dir, { recursive: true });
      for (const f of readdirSync(files.gzDir)) {
        try { linkSync(join(files.gzDir, f), join(dir, f)); } catch { copyFileSync(join(files.gzDir, f), join(dir, f)); }
      }
      const store = new ClickHouseServerStore({ url: server.url, maxInflightInserts: n });
      try {
        const s = await ingestPath(store, dir);
        if (s.rows !== files.lines) throw new Error(`server in-flight bench (${n}) stored ${s.rows} of ${files.lines}`);
        out[n] = Math.round(s.rows / s.seconds);
      } finally {
        await store.close();
      }
      log(`  ${n} in flight: ${out[n]!.toLocaleString('en-US')} flows/s (${(out[n]! / out[inflight[0]!]!).toFixed(2)}x of ${inflight[0]})`);
    }
    await admin.close();
  } finally {
    await server.close();
  }
  return out;
}

/** The same batch in each wire format; Native is what flowlog uses. */
function insertAs(store: ClickHouseServerStore, batch: FlowBatch, token: string, format: InsertFormat): Promise<void> {
  if (format === 'Native') return store.insertFlows(batch, token);
  if (format === 'ArrowStream') {
    const a = encodeArrow(batch);
    return store.insertRaw('flows', a.columns, 'ArrowStream', a.data, token);
  }
  const lines: string[] = new Array(batch.length);
  for (let r = 0; r < batch.length; r++) lines[r] = JSON.stringify(rowToRecord(batch, r));
  return store.insertRaw('flows', FLOW_COLUMNS.map((c) => c.name), 'JSONEachRow', Buffer.from(lines.join('\n')), token, { date_time_input_format: 'best_effort' });
}

/** S3 gzip objects (the bench's large set, uploaded once) -> a fresh embedded store. */
export async function s3ToStore(files: BenchFiles, scratch: string): Promise<{ flows_per_sec: number; seconds: number }> {
  const client = makeS3Client(s3SettingsFromEnv());
  const bucket = `flowlog-bench-${files.lines}-${files.objects}`; // a bucket per set: objects of another set size would be ingested too
  try {
    try { await client.send(new CreateBucketCommand({ Bucket: bucket })); } catch { /* exists from an earlier run */ }
    for (const f of readdirSync(files.gzDir)) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/11/24/${f}`, Body: readFileSync(join(files.gzDir, f)) }));
    }
    const store = new ChdbStore(join(scratch, 's3-store'));
    await store.migrate();
    const s = await ingestObjects(store, s3Source(client, { bucket, prefix: 'AWSLogs/', concurrency: 4 }));
    await store.close();
    if (s.rows !== files.lines) throw new Error(`S3 bench stored ${s.rows} of ${files.lines}`);
    return { flows_per_sec: Math.round(s.rows / s.seconds), seconds: +s.seconds.toFixed(2) };
  } finally {
    client.destroy();
  }
}

/** The first `lines` lines of `file` to `topic`, 1000 lines per message; how many lines were sent. */
async function produce(kafka: Kafka, topic: string, file: string, lines: number): Promise<number> {
  const text = readFileSync(file, 'latin1').split('\n', lines);
  const producer = kafka.producer();
  await producer.connect();
  // ~115 KB per message; a few per request keeps each partition's record batch under the broker's 1 MB limit
  for (let i = 0; i < text.length; i += 6000) {
    const messages = [];
    for (let j = i; j < Math.min(i + 6000, text.length); j += 1000) messages.push({ value: text.slice(j, j + 1000).join('\n') });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
  return text.length;
}

/**
 * Kafka -> store in a child process of its own, like the in-process ingest it is compared with: a fresh
 * heap (the bench's own, with whatever its earlier steps left, made the consumer's collections slower),
 * and a peak RSS that is the consumer's. Timed from the consumer's start to the last flow stored; the
 * store's open and migrate are not in it. The topic and the group are deleted after (a broker that keeps
 * hundreds of old bench topics fetches slower, and noisier).
 */
export async function kafkaToStore(files: BenchFiles, scratch: string, lines: number, env: NodeJS.ProcessEnv = process.env, tune: Pick<KafkaIngestOptions, 'concurrency' | 'fetch'> = {}): Promise<{ flows_per_sec: number; seconds: number; peak_rss_mb: number | null }> {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const topic = `flowlog-bench-${process.pid}-${Date.now() % 100000}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const produced = await produce(kafka, topic, files.text, lines);
    const groupId = `bench-${topic}`;
    const args = [brokers, topic, groupId, join(scratch, `kafka-store-${Date.now()}`), produced, tune];
    try {
      const r = await measureCall<{ seconds: number }>(fileURLToPath(import.meta.url), `m.kafkaConsume(...${JSON.stringify(args)})`,
        { cwd: REPO, env, onStderr: (c) => { process.stderr.write(c); } });
      return { flows_per_sec: Math.round(produced / r.result.seconds), seconds: +r.result.seconds.toFixed(2), peak_rss_mb: r.peakRssMb === null ? null : Math.round(r.peakRssMb) };
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined); // one per run, failed or not: none left behind on the broker
    }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The child's half of kafkaToStore: `expect` flows from `topic` into a fresh embedded store at `dataDir`. */
export async function kafkaConsume(brokers: string[], topic: string, groupId: string, dataDir: string, expect: number, tune: Pick<KafkaIngestOptions, 'concurrency' | 'fetch'> = {}): Promise<{ seconds: number }> {
  // the memory profile, batch size and fetch size as `flowlog run` takes them from the environment
  const config = resolveConfig({ env: process.env });
  const store = new ChdbStore(dataDir, { memory: config.memory });
  await store.migrate();
  const ingest = new KafkaIngest(store, { kafka: { brokers }, topics: [topic], groupId, sessionTimeoutMs: 10_000, capacity: config.batch.rows, ...tune,
    fetch: { maxBytes: MEMORY_PROFILES[config.memory.profile].kafka_fetch_max_bytes, ...tune.fetch } });
  const t0 = performance.now();
  await ingest.start();
  while (ingest.stats.rows < expect && performance.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - t0) / 1000;
  await ingest.stop();
  await store.close();
  if (ingest.stats.rows !== expect) throw new Error(`Kafka bench stored ${ingest.stats.rows} of ${expect}`);
  return { seconds };
}
