/**
 * Two `flowlog run` instances polling one S3 prefix (real MinIO from the
 * global setup) into one server store (the chdb-backed ClickHouse endpoint)
 * while objects arrive. One holds the poll's lease and stores; the other
 * stands by. The holder is killed with SIGKILL mid-stream: the other takes
 * the lease within two terms and goes on from the ledger. At the end every
 * object's flows are stored exactly once, and the restarted instance stands by.
 */
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { openServerFleet, type ServerFleet } from '../../../test/server-fleet.js';
import { Instances, type Instance } from '../../../test/run-instances.js';
import { waitFor } from '../../../test/wait.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { makeS3Client, s3SettingsFromEnv } from '../../sources/s3/client.js';
import { ClickHouseServerStore } from '../../store/clickhouse-server-store.js';
import { testBucket } from '../../../test/s3.js';

const OBJECTS = 30, LINES = 500;
let server: ChdbHttpServer;
let store: ClickHouseServerStore;
let fleet: Instances;

let ground: ServerFleet | undefined;
beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server; it must not be missing');
  ground = await openServerFleet('flowlog-s3-instances-');
  ({ server, store, fleet } = ground);
}, 60_000);
afterEach((ctx) => fleet.dumpOnFailure(ctx));
afterAll(async () => {
  await ground?.close();
});

const rows = async () => Number((await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows'))[0]!.n);
const holds = async (i: Instance) => i.running && /flowlog_lease_held\{lease="s3-poll:poll"\} 1/.test(await i.metrics());

describe('two instances polling one S3 prefix', () => {
  it('store each object once; the standby takes over when the holder is killed', { timeout: 150_000 }, async () => {
    const bucket = testBucket('flowlog-instances');
    const s3 = makeS3Client(s3SettingsFromEnv());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const lines = benchLines(OBJECTS * LINES, 29);
    // keys sort in arrival order, as AWS's time-stamped names do
    const put = (i: number) => s3.send(new PutObjectCommand({
      Bucket: bucket, Key: `flows/part-${String(i).padStart(4, '0')}.log.gz`,
      Body: gzipSync(`${HEADER}\n${lines.slice(i * LINES, (i + 1) * LINES).join('\n')}\n`),
    }));
    const yaml = [
      'store:', '  kind: clickhouse', `  url: ${server.url}`,
      'batch: { rows: 1000 }',
      'sources:',
      `  - { kind: s3, name: poll, mode: poll, poll_interval: 1s, poll_lease: 3s, uri: "s3://${bucket}/flows/", endpoint: "${process.env.S3_ENDPOINT}",`,
      '      access_key: { env: FLOWLOG_TEST_S3_KEY }, secret_key: { env: FLOWLOG_TEST_S3_SECRET } }',
    ].join('\n');
    const env = { FLOWLOG_TEST_S3_KEY: process.env.S3_ACCESS_KEY!, FLOWLOG_TEST_S3_SECRET: process.env.S3_SECRET_KEY! };
    try {
      for (let i = 0; i < 4; i++) await put(i);
      const a = await fleet.start('a', yaml, { args: ['--role', 'ingest'], env });
      const b = await fleet.start('b', yaml, { args: ['--role', 'ingest'], env });
      await Promise.all([a.ready(), b.ready()]);
      // objects keep arriving while the instances poll
      let next = 4;
      const arriving = (async () => { for (; next < OBJECTS; next++) { await put(next); await new Promise((r) => setTimeout(r, 200)); } })();
      await waitFor(async () => (await rows()) >= 8 * LINES, 'the first objects stored', 60_000);
      const holder = (await holds(a)) ? a : (await holds(b)) ? b : null;
      expect(holder, 'one instance holds the poll').not.toBeNull();
      const standby = holder === a ? b : a;
      expect(await holds(standby)).toBe(false);
      expect(((await standby.healthz())!.body.sources as Record<string, { state: string }>).poll!.state).toBe('standby');
      await new Promise((r) => setTimeout(r, Math.random() * 500));
      await holder!.kill();
      const killedAt = Date.now();
      await waitFor(() => holds(standby), 'the standby to take the lease', 30_000);
      const takeoverMs = Date.now() - killedAt;
      await arriving;
      await waitFor(async () => (await rows()) >= OBJECTS * LINES, 'every object stored', 60_000);
      // the killed instance comes back and stands by; a few more rounds must store nothing twice
      const back = await fleet.restart(holder!.name);
      await back.ready();
      await new Promise((r) => setTimeout(r, 3000));
      expect(await holds(back)).toBe(false);
      expect(await fleet.stopAll()).toEqual({ a: 0, b: 0 });
      const perObject = await store.queryRows<{ objects: string; bad: string; total: string }>(
        `SELECT count() AS objects, countIf(c != ${LINES}) AS bad, sum(c) AS total FROM (SELECT source, count() AS c FROM flows GROUP BY source)`);
      expect({ objects: Number(perObject[0]!.objects), bad: Number(perObject[0]!.bad), total: Number(perObject[0]!.total) })
        .toEqual({ objects: OBJECTS, bad: 0, total: OBJECTS * LINES });
      expect(standby.events('lease.acquired').length).toBeGreaterThan(0);
      // within two terms of 3 s, and the standby's look every term/4
      expect(takeoverMs).toBeLessThan(9000);
      console.log(`takeover after SIGKILL of the holder: ${takeoverMs} ms`);
    } finally { s3.destroy(); }
  });
});
