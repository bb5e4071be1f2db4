/**
 * Crash and restart on the embedded store: `flowlog run` (a child process)
 * consumes an SQS queue of notifications (some delivered twice) for small
 * objects in real MinIO, in rounds whose objects share batches, and is killed
 * with SIGKILL at random moments, several times, until a kill has left a
 * round pending (its intent written, no stored mark). The killed run's
 * messages come back after their visibility timeout, in other rounds. A last
 * run drains the queue and stops with SIGTERM: every object's flows are stored
 * exactly once, nothing is quarantined, no round is left pending.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBucket } from '../../../../test/s3.js';
import { waitFor } from '../../../../test/wait.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { latestRound } from '../../../commit/ledger-reads.js';
import { exited, startRun, started } from '../../../run/test/harness.js';
import { ChdbStore } from '../../../store/chdb-store.js';
import { makeS3Client, s3SettingsFromEnv } from '../../s3/client.js';
import { createQueue, depth, notes, testSqs } from './sqs.js';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';

const run = `${process.pid}-${Date.now() % 100000}`;
const bucket = testBucket('flowlog-sqs-crash');
const WAVES = 6, PER_WAVE = 400, OBJECTS = WAVES * PER_WAVE, LINES = 30;
const key = (i: number) => `AWSLogs/1/vpcflowlogs/us-east-1/2026/06/01/o${String(i).padStart(4, '0')}.log.gz`;
let dir = '';
let sqs: SQSClient;
let queueUrl = '';
let configFile = '';
let sendWave: (w: number) => Promise<void>;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT must be set: the global setup starts MinIO (infra/s3/s3.sh)');
  process.env.SQS_ACCESS_KEY ??= 'flowlog'; process.env.SQS_SECRET_KEY ??= 'flowlog-secret';
  dir = mkdtempSync(join(tmpdir(), 'flowlog-sqs-crash-'));
  sqs = testSqs();
  const s3 = makeS3Client(s3SettingsFromEnv());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const lines = benchLines(OBJECTS * LINES * 2, 53).filter((l) => !l.endsWith('NODATA'));
  const bodies: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < OBJECTS; i = next++) {
      const body = gzipSync(`${HEADER}\n${lines.slice(i * LINES, (i + 1) * LINES).join('\n')}\n`);
      const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: body }));
      const etag = (r.ETag ?? '').replace(/"/g, '');
      bodies[i] = notes.s3(bucket, key(i), etag, body.length);
      if (i % 10 === 0) bodies[OBJECTS + i / 10] = notes.eventBridge(bucket, key(i), etag, body.length); // delivered twice
    }
  }));
  s3.destroy();
  queueUrl = await createQueue(sqs, `flowlog-crash-${run}`, { visibility: 2 });
  // the notifications arrive in waves, one before each run, so every run has work in hand when it is killed
  sendWave = async (w) => {
    const wave = bodies.filter((_, i) => (i < OBJECTS ? i : (i - OBJECTS) * 10) % WAVES === w);
    for (let i = 0; i < wave.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: wave.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })) }));
    }
  };
  configFile = join(dir, 'flowlog.yaml');
  writeFileSync(configFile, [
    `store: { kind: embedded, data_dir: ${JSON.stringify(join(dir, 'store'))} }`,
    // 1000-row batches (the least allowed) of 30-row objects: every batch holds objects of many messages, and objects straddle batches
    'batch:', '  rows: 1000',
    'sources:', '  - kind: sqs', '    name: notes', `    queue_url: ${queueUrl}`, `    endpoint: ${process.env.SQS_ENDPOINT}`,
    '    access_key: { env: SQS_ACCESS_KEY }', '    secret_key: { env: SQS_SECRET_KEY }',
    '    wait_time: 1s', '    visibility_timeout: 2s', '    round_messages: 60',
    '    s3:', `      endpoint: ${process.env.S3_ENDPOINT}`, '      access_key: { env: S3_ACCESS_KEY }', '      secret_key: { env: S3_SECRET_KEY }',
    `      allow: [{ bucket: ${bucket}, prefix: AWSLogs/ }]`,
  ].join('\n'));
}, 180_000);
afterAll(() => {
  sqs?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Reads the store between runs (the engine's directory belongs to one process at a time). */
async function inStore<T>(fn: (store: ChdbStore) => Promise<T>): Promise<T> {
  const store = new ChdbStore(join(dir, 'store'));
  try { return await fn(store); } finally { await store.close(); }
}
const drained = async (): Promise<boolean> => { const d = await depth(sqs, queueUrl); return d.visible === 0 && d.inFlight === 0; };

describe('SQS on the embedded store: crash and restart', () => {
  it('SIGKILL at random moments until a round is left pending, then a clean run: every object once', { timeout: 300_000 }, async () => {
    const stream = `sqs://${new URL(queueUrl).host}${new URL(queueUrl).pathname}`;
    const kills: { rows: number; pending: boolean }[] = [];
    let w = 0;
    // a run per wave, killed a random moment after it starts, until a kill has left a round pending (and at least two kills)
    for (; w < WAVES - 1 && (kills.length < 2 || !kills.some((x) => x.pending)); w++) {
      await sendWave(w);
      const r = startRun(configFile);
      await started(r);
      await new Promise((res) => setTimeout(res, 100 + Math.random() * 900));
      r.child.kill('SIGKILL');
      await exited(r.child);
      kills.push(await inStore(async (store) => ({
        rows: Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n),
        pending: (await latestRound(store, 'sqs', stream))?.pending != null,
      })));
    }
    expect(kills.some((x) => x.pending), `after each kill: ${JSON.stringify(kills)}`).toBe(true);
    for (; w < WAVES; w++) await sendWave(w);
    const last = startRun(configFile);
    await started(last);
    await waitFor(drained, 'the queue to be drained', 120_000);
    last.child.kill('SIGTERM');
    const code = await exited(last.child);
    if (code !== 0) console.error(last.stderr());
    expect(code).toBe(0);
    await inStore(async (store) => {
      const perObject = await store.queryRows<{ bad: number; objects: number; rows: number }>(
        `SELECT countIf(n != ${LINES}) AS bad, count() AS objects, sum(n) AS rows FROM (SELECT source, count() AS n FROM flows GROUP BY source)`);
      expect(perObject.map((p) => ({ bad: Number(p.bad), objects: Number(p.objects), rows: Number(p.rows) })))
        .toEqual([{ bad: 0, objects: OBJECTS, rows: OBJECTS * LINES }]);
      expect(Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows_rejected'))[0]!.n)).toBe(0);
      expect((await latestRound(store, 'sqs', stream))?.pending).toBeNull();
    });
  });
});
