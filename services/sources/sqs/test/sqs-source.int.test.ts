/**
 * The SQS source against the real servers (ElasticMQ for SQS, MinIO for S3),
 * built from its configuration as `flowlog run` builds it: the three envelope
 * shapes, a test event, a duplicate notification, junk, an object S3 does not
 * have (kept, then redriven to the dead-letter queue), and the visibility
 * heartbeat of a slow store.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../../schemas/config.js';
import { startS3Front } from '../../../../test/flaky-front.js';
import { withStore } from '../../../../test/temp-store.js';
import { waitFor } from '../../../../test/wait.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { SqsRounds } from '../../../pipeline/sqs-rounds.js';
import { sqsSource } from '../../../run/sources.js';
import { S3Allowlist } from '../../s3/allowlist.js';
import type { FlowStore } from '../../../store/store.js';
import { telemetryEvents } from '../../../telemetry/events.js';
import { standardMetrics, type Metrics } from '../../../telemetry/metrics.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import type { Source } from '../../source.js';
import { createQueue, depth, notes, peek, send, testSqs } from './sqs.js';
import { testBucket } from '../../../../test/s3.js';

const run = `${process.pid}-${Date.now() % 100000}`;
const bucket = testBucket('flowlog-sqs');
const objects = { a: 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/a b.log.gz', b: 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/b.log.gz', c: 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/c.log.gz' };
const rows = { a: 700, b: 300, c: 400 };
const heads: Record<string, { etag: string; size: number }> = {};
let sqs: SQSClient;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT must be set: the global setup starts MinIO (infra/s3/s3.sh)');
  sqs = testSqs();
  process.env.SQS_ACCESS_KEY ??= 'flowlog'; process.env.SQS_SECRET_KEY ??= 'flowlog-secret';
  const s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [k, key] of Object.entries(objects)) {
    const body = gzipSync(`${HEADER}\n${benchLines(rows[k as keyof typeof rows], k.charCodeAt(0)).join('\n')}\n`);
    const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    heads[k] = { etag: (r.ETag ?? '').replace(/"/g, ''), size: body.length };
  }
  s3.destroy();
}, 120_000);
afterAll(() => { sqs?.destroy(); });

function source(store: FlowStore, queueUrl: string, metrics: Metrics, visibility = '30s', more: Record<string, unknown> = {}): Source {
  const cfg = configSchema.parse({ sources: [{
    kind: 'sqs', name: 'notes', queue_url: queueUrl, endpoint: process.env.SQS_ENDPOINT, region: 'us-east-1',
    access_key: { env: 'SQS_ACCESS_KEY' }, secret_key: { env: 'SQS_SECRET_KEY' }, wait_time: '1s', visibility_timeout: visibility, ...more,
    s3: { endpoint: process.env.S3_ENDPOINT, access_key: { env: 'S3_ACCESS_KEY' }, secret_key: { env: 'S3_SECRET_KEY' }, allow: [{ bucket, prefix: 'AWSLogs/' }] },
  }] });
  const src = cfg.sources[0]!;
  if (src.kind !== 'sqs') throw new Error('an sqs source');
  return sqsSource(src, 'sources[0]', { store, events: telemetryEvents(metrics), enrich: { apply: () => undefined } });
}

const count = async (store: FlowStore, sql: string) => Number((await store.queryRows<{ n: number }>(sql))[0]!.n);
const drained = async (url: string) => { const d = await depth(sqs, url); return d.visible === 0 && d.inFlight === 0; };

describe('the SQS source', () => {
  it('stores S3, SNS-wrapped and EventBridge notifications once each, ignores the test event, quarantines junk and deletes them all', async () => {

    const url = await createQueue(sqs, `flowlog-notes-${run}`);
    const { a, b, c } = heads;
    await send(sqs, url,
      notes.s3(bucket, objects.a, a!.etag, a!.size),
      notes.sns(notes.s3(bucket, objects.b, b!.etag, b!.size)),
      notes.eventBridge(bucket, objects.c, c!.etag, c!.size),
      notes.test(bucket),
      notes.s3(bucket, objects.a, a!.etag, a!.size), // S3 delivers at least once
      'this is not a notification',
      notes.s3('someone-elses-bucket', objects.a, a!.etag, a!.size),
    );
    await withStore(async (store) => {
      const metrics = standardMetrics();
      const src = source(store, url, metrics);
      await src.start();
      try {
        await waitFor(async () => await drained(url), 'every message to be deleted');
        expect(await count(store, 'SELECT count() AS n FROM flows')).toBe(rows.a + rows.b + rows.c);
        // the same object notified again later, in another receive: the ledger has it, nothing is fetched or stored
        await send(sqs, url, notes.sns(notes.s3(bucket, objects.a, a!.etag, a!.size)));
        await waitFor(async () => await drained(url), 'the late duplicate to be deleted');
      } finally { await src.stop(); }
      expect(await count(store, 'SELECT count() AS n FROM flows')).toBe(rows.a + rows.b + rows.c);
      const rejects = await store.queryRows<{ source: string; reason: string }>('SELECT source, reason FROM flows_rejected ORDER BY reason');
      expect(rejects.map((r) => r.reason)).toEqual(['DECODE', 'NOT_ALLOWED']);
      expect(rejects[0]!.source).toMatch(new RegExp(`^sqs://flowlog-notes-${run}/`));
      expect(rejects[1]!.source).toBe(`s3://someone-elses-bucket/${objects.a}`);
      const stored = await store.queryRows<{ object: string }>("SELECT DISTINCT object FROM ingest_ledger WHERE source_kind = 's3' AND complete ORDER BY object");
      expect(stored.map((r) => r.object)).toEqual(Object.values(objects).map((k) => `s3://${bucket}/${k}`).sort());
      expect(await metrics.render()).toMatch(/flowlog_messages_total\{source="notes"\} 8/);
    });
  }, 120_000);

  it('gathers a backlog into rounds of round_messages: a full receive is followed by more at once', async () => {
    const url = await createQueue(sqs, `flowlog-gather-${run}`);
    const { a, b, c } = heads;
    const names = [notes.s3(bucket, objects.a, a!.etag, a!.size), notes.s3(bucket, objects.b, b!.etag, b!.size), notes.s3(bucket, objects.c, c!.etag, c!.size)];
    await send(sqs, url, ...Array.from({ length: 25 }, (_, i) => names[i % 3]!));
    await withStore(async (store) => {
      const metrics = standardMetrics();
      const src = source(store, url, metrics, '30s', { round_messages: 20 });
      await src.start();
      try { await waitFor(async () => await drained(url), 'every message to be deleted'); } finally { await src.stop(); }
      const text = await metrics.render();
      // 20 (two receives of 10) then 5; one receive at a time would make three rounds
      expect(/flowlog_rounds_total\{source="notes"\} (\d+)/.exec(text)?.[1]).toBe('2');
      expect(/flowlog_messages_total\{source="notes"\} (\d+)/.exec(text)?.[1]).toBe('25');
      expect(await count(store, 'SELECT count() AS n FROM flows')).toBe(rows.a + rows.b + rows.c);
    });
  }, 60_000);

  it('keeps a message whose object S3 does not have, counts it, and the queue redrives it to the dead-letter queue after maxReceiveCount', async () => {
    const dlq = await createQueue(sqs, `flowlog-dlq-${run}`);
    const url = await createQueue(sqs, `flowlog-missing-${run}`, { visibility: 1, dlq: { url: dlq, maxReceiveCount: 2 } });
    await send(sqs, url, notes.s3(bucket, 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/never-written.log.gz', 'e', 10));
    await withStore(async (store) => {
      const metrics = standardMetrics();
      const src = source(store, url, metrics, '1s');
      await src.start();
      try {
        // received, kept (not deleted), visible again after 1 s, received again, kept; then the queue moves it
        await waitFor(async () => (await depth(sqs, dlq)).visible === 1, 'the message to reach the dead-letter queue', 30_000);
        expect(await drained(url)).toBe(true);
      } finally { await src.stop(); }
      expect(await count(store, 'SELECT count() AS n FROM flows_rejected')).toBe(0); // kept, not quarantined
      const unfinished = /flowlog_objects_unfinished_total\{source="notes"\} (\d+)/.exec(await metrics.render());
      expect(Number(unfinished?.[1])).toBeGreaterThanOrEqual(2);
    });
  }, 60_000);

  it('two consumers storing the same object at once (a notification delivered twice) write the same batches: it is stored once', async () => {
    // consumer 1's receive names b then a, consumer 2's names a alone; neither has stored anything when both read the ledger
    const { a, b } = heads;
    await withStore(async (inner) => {
      let listed = 0;
      let release: () => void = () => undefined;
      const bothListed = new Promise<void>((r) => { release = r; });
      const racing = new Proxy(inner, { get(t, p, r) {
        if (p === 'ledgerState') return async (...args: Parameters<FlowStore['ledgerState']>) => { if (++listed === 2) release(); return t.ledgerState(...args); };
        if (p === 'insertPrepared') return async (...args: Parameters<FlowStore['insertPrepared']>) => { await bothListed; return t.insertPrepared(...args); };
        const v = Reflect.get(t, p, r) as unknown;
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(t) : v;
      } }) as FlowStore;
      const s3 = makeS3Client(s3SettingsFromEnv());
      // batches of 256 rows: an object is several batches, and without one object per batch b's tail would share a batch with a's head
      const consumer = () => new SqsRounds(racing, { queue: 'q', cuts: 'per-object', s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, ingest: { capacity: 256 } });
      const msg = (id: string, ...bodies: string[]) => ({ id, receipt: id, receiveCount: 1, body: bodies.length === 1 ? bodies[0]! : JSON.stringify({ Records: bodies.flatMap((x) => (JSON.parse(x) as { Records: unknown[] }).Records) }) });
      const [one, two] = await Promise.all([
        consumer().storeMessages([msg('m1', notes.s3(bucket, objects.b, b!.etag, b!.size), notes.s3(bucket, objects.a, a!.etag, a!.size))]),
        consumer().storeMessages([msg('m2', notes.s3(bucket, objects.a, a!.etag, a!.size))]),
      ]);
      s3.destroy();
      expect([...one, ...two].sort()).toEqual(['m1', 'm2']);
      expect(await count(inner, 'SELECT count() AS n FROM flows')).toBe(rows.a + rows.b);
    });
  }, 60_000);

  it('an object S3 breaks off mid-way keeps only its full batches (what another consumer would write too), and its message', async () => {
    const key = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/big.log.gz';
    const LINES = 20_000;
    const setup = makeS3Client(s3SettingsFromEnv());
    const body = gzipSync(`${HEADER}\n${benchLines(LINES, 99).join('\n')}\n`);
    const put = await setup.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    setup.destroy();
    const front = await startS3Front();
    const s3 = makeS3Client({ ...s3SettingsFromEnv(), endpoint: `http://127.0.0.1:${front.port}` });
    const message = { id: 'm', receipt: 'm', receiveCount: 1, body: notes.s3(bucket, key, (put.ETag ?? '').replace(/"/g, ''), body.length) };
    try {
      await withStore(async (store) => {
        const rounds = new SqsRounds(store, { queue: 'q', cuts: 'per-object', s3: { client: s3, allow: new S3Allowlist([{ bucket }]) }, ingest: { capacity: 1000 } });
        front.breakPath('big.log.gz', Math.floor(body.length / 2)); // S3 fails half-way through, and stays down for it
        expect([...await rounds.storeMessages([message])]).toEqual([]);
        const [p] = await store.queryRows<{ rows: string; complete: number }>(
          `SELECT max(last_position) AS rows, max(complete) AS complete FROM ingest_ledger WHERE object = 's3://${bucket}/${key}'`);
        expect(Number(p!.rows) % 1000).toBe(0); // batch boundaries only: the rows read past the last one are not stored
        expect(Number(p!.rows)).toBeGreaterThan(0);
        expect(Number(p!.complete)).toBe(0);
        expect(await count(store, 'SELECT count() AS n FROM flows')).toBe(Number(p!.rows));
        front.heal();
        expect([...await rounds.storeMessages([message])]).toEqual(['m']);
        expect(await count(store, 'SELECT count() AS n FROM flows')).toBe(LINES);
        expect(await count(store, 'SELECT count() AS n FROM flows_rejected')).toBe(0);
      });
    } finally { front.heal(); s3.destroy(); await front.close(); }
  }, 120_000);

  it('reports a queue that does not exist as SOURCE_NOT_FOUND, and keeps trying', async () => {
    await withStore(async (store) => {
      const metrics = standardMetrics();
      const src = source(store, `${process.env.SQS_ENDPOINT}/000000000000/flowlog-no-such-queue-${run}`, metrics);
      await src.start();
      try {
        await waitFor(() => src.health().state === 'failed', 'the source to fail');
        expect(src.health().error?.code).toBe('SOURCE_NOT_FOUND');
        expect(await metrics.render()).toMatch(/flowlog_errors_total\{component="source",code="SOURCE_NOT_FOUND"\} 1/);
      } finally { await src.stop(); }
      expect(src.health().state).toBe('stopped');
    });
  }, 30_000);

  it('extends the visibility of a message while its object is stored, so another consumer never receives it', async () => {
    const url = await createQueue(sqs, `flowlog-slow-${run}`, { visibility: 2 });
    const { b } = heads;
    await send(sqs, url, notes.s3(bucket, objects.b, b!.etag, b!.size));
    await withStore(async (inner) => {
      // a store that takes 7 s over its flows: three visibility timeouts
      let inserting = false;
      const slow = new Proxy(inner, { get(t, p, r) {
        if (p === 'insertPrepared') return async (...args: Parameters<FlowStore['insertPrepared']>) => { inserting = true; await new Promise((res) => setTimeout(res, 7000)); return t.insertPrepared(...args); };
        const v = Reflect.get(t, p, r) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      } }) as FlowStore;
      const src = source(slow, url, standardMetrics(), '2s');
      await src.start();
      const seen: string[] = [];
      try {
        await waitFor(() => inserting, 'the insert to begin');
        // another consumer polls all the while the object is being stored
        while (!(await drained(url))) {
          seen.push(...await peek(sqs, url));
          await new Promise((res) => setTimeout(res, 250));
        }
      } finally { await src.stop(); }
      expect(seen).toEqual([]);
      expect(await count(inner, 'SELECT count() AS n FROM flows')).toBe(rows.b);
    });
  }, 60_000);
});
