/**
 * Several `flowlog run` processes on one SQS queue and one ClickHouse server
 * store (the chdb-backed ClickHouse HTTP endpoint), as a deployment scales
 * out: three instances share the notifications, some objects are notified
 * twice (S3 delivers at least once), and instances are killed with SIGKILL
 * while they store objects, so their messages' visibility timeouts run out
 * and other instances receive them, mid-object. At the end every object's
 * flows are stored exactly once, nothing is quarantined, the queue is empty.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChdbHttpServer } from '../../../../test/clickhouse-http/server.js';
import type { Instance, Instances } from '../../../../test/run-instances.js';
import { openServerFleet, type ServerFleet } from '../../../../test/server-fleet.js';
import { waitFor } from '../../../../test/wait.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import type { ClickHouseServerStore } from '../../../store/clickhouse-server-store.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import { createQueue, depth, notes, send, testSqs } from './sqs.js';
import { testBucket } from '../../../../test/s3.js';

const run = `${process.pid}-${Date.now() % 100000}`;
const bucket = testBucket('flowlog-sqs-fleet');
const OBJECTS = 12, LINES = 12_000;
/** Each object's flows carry their own account id: counted per object at the end. */
const account = (i: number) => String(100_000_000_000 + i);
let ground: ServerFleet | undefined;
let fleet: Instances;
let server: ChdbHttpServer;
let store: ClickHouseServerStore;
let sqs: SQSClient;
let queueUrl = '';
const expected = new Map<string, number>();

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT must be set: the global setup starts MinIO (infra/s3/s3.sh)');
  process.env.SQS_ACCESS_KEY ??= 'flowlog'; process.env.SQS_SECRET_KEY ??= 'flowlog-secret';
  sqs = testSqs();
  ground = await openServerFleet('flowlog-sqs-fleet-');
  ({ server, store, fleet } = ground);
  const s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  queueUrl = await createQueue(sqs, `flowlog-fleet-${run}`, { visibility: 3 });
  const bodies: string[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    const key = `AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/o${i}.log.gz`;
    const lines = benchLines(LINES, 100 + i).map((l) => l.replace(/^(\S+) \S+/, `$1 ${account(i)}`));
    const body = gzipSync(`${HEADER}\n${lines.join('\n')}\n`);
    const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const etag = (r.ETag ?? '').replace(/"/g, '');
    expected.set(account(i), lines.length);
    const note = notes.s3(bucket, key, etag, body.length);
    bodies.push(i % 2 ? notes.sns(note) : note);
    if (i % 3 === 0) bodies.push(notes.eventBridge(bucket, key, etag, body.length)); // the same object announced again
  }
  s3.destroy();
  await send(sqs, queueUrl, ...bodies);
}, 180_000);
afterEach((ctx) => fleet.dumpOnFailure(ctx));
afterAll(async () => {
  await ground?.close();
  sqs?.destroy();
});

const yaml = () => [
  'store:', '  kind: clickhouse', `  url: ${server.url}`,
  'batch:', '  rows: 2000',
  'sources:', '  - kind: sqs', '    name: notes', `    queue_url: ${queueUrl}`, `    endpoint: ${process.env.SQS_ENDPOINT}`,
  '    access_key: { env: SQS_ACCESS_KEY }', '    secret_key: { env: SQS_SECRET_KEY }',
  '    wait_time: 1s', '    visibility_timeout: 3s', '    max_messages: 3', '    round_messages: 3',
  '    s3:', `      endpoint: ${process.env.S3_ENDPOINT}`, '      access_key: { env: S3_ACCESS_KEY }', '      secret_key: { env: S3_SECRET_KEY }',
  `      allow: [{ bucket: ${bucket}, prefix: AWSLogs/ }]`,
].join('\n');

const flows = async () => Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n);
const stored = async (i: Instance) => Number(/flowlog_flows_stored_total\{source="notes"\} (\d+)/.exec(await i.metrics())?.[1] ?? 0);

describe('three instances on one SQS queue', () => {
  it('SIGKILL mid-object, visibility timeouts running out: every object stored exactly once', { timeout: 300_000 }, async () => {
    const [a, b] = [await fleet.start('a', yaml()), await fleet.start('b', yaml())];
    await fleet.start('c', yaml());
    await Promise.all(fleet.all().map((i) => i.ready({ event: 'source.started' })));
    // a dies as soon as it has stored a batch: in the middle of an object (6 batches each), its message in hand
    await waitFor(async () => await stored(a) > 0, 'instance a to store a batch', 120_000);
    await a.kill();
    // objects partly stored, none of them complete: what a (or another instance at that moment) was in the middle of
    const partial = await store.queryRows<{ object: string }>("SELECT object FROM ingest_ledger WHERE source_kind = 's3' GROUP BY object HAVING max(complete) = 0");
    expect(partial.length).toBeGreaterThan(0);
    // b dies a little later, at a moment of its own (or at the end, if the others took every message); a comes back meanwhile
    const drained = async () => { const d = await depth(sqs, queueUrl); return d.visible === 0 && d.inFlight === 0; };
    await waitFor(async () => await stored(b) > 0 || await drained(), 'instance b to store a batch', 120_000);
    await new Promise((r) => setTimeout(r, Math.random() * 500));
    await b.kill();
    await fleet.restart('a');
    await waitFor(drained, 'the queue to be drained', 240_000);
    expect(await fleet.stopAll()).toEqual({ a: 0, c: 0 });

    const perObject = await store.queryRows<{ account_id: string; n: number }>('SELECT account_id, count() AS n FROM flows GROUP BY account_id ORDER BY account_id');
    expect(new Map(perObject.map((r) => [r.account_id, Number(r.n)]))).toEqual(expected);
    expect(await flows()).toBe(OBJECTS * LINES);
    expect(Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows_rejected'))[0]!.n)).toBe(0);
  });
});
