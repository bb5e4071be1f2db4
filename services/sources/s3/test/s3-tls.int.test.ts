/**
 * S3 over https with a private CA (on-premises MinIO behind TLS): the client
 * verifies the chain with the configured CA file, ingests through it, and
 * refuses the same endpoint without that CA.
 */
import { rmSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../../test/temp-store.js';
import { makeTestCerts, type TestCerts } from '../../../../test/tls.js';
import { startTlsFront } from '../../../../test/tls-front.js';
import { benchLines } from '../../../bench/dataset.js';
import { ingestObjects } from '../../../pipeline/ingest.js';
import { FlowlogError } from '../../../core/errors.js';
import { makeS3Client, s3SettingsFromEnv } from '../client.js';
import { readS3Object } from '../s3-body.js';
import { leanGetOf } from '../s3-get.js';
import { listS3Objects, s3Source } from '../s3-source.js';
import { testBucket } from '../../../../test/s3.js';

const bucket = testBucket('flowlog-tls');
let certs: TestCerts;
let front: Awaited<ReturnType<typeof startTlsFront>>;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  certs = makeTestCerts();
  const target = new URL(process.env.S3_ENDPOINT);
  front = await startTlsFront({ host: target.hostname, port: Number(target.port || 80) }, certs);
});
afterAll(async () => {
  await front?.close();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

describe('S3 over TLS', () => {
  it('ingests through https verified with the CA file (S3_CA_FILE), and refuses it without', async () => {
    const settings = s3SettingsFromEnv({ ...process.env, S3_ENDPOINT: `https://127.0.0.1:${front.port}`, S3_CA_FILE: certs.caFile });
    expect(settings.ca?.equals(certs.ca)).toBe(true);
    const client = makeS3Client(settings);
    let small: Awaited<ReturnType<typeof listS3Objects>>['objects'][number] | undefined;
    try {
      expect(leanGetOf(client)).toBeDefined(); // small objects below go through the lean GET's https agent, with the CA
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      const lines = benchLines(3000, 3);
      for (let i = 0; i < 3; i++) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: `AWSLogs/1/vpcflowlogs/eu-west-1/2026/05/0${i + 1}/f${i}.log.gz`, Body: gzipSync(lines.slice(i * 1000, (i + 1) * 1000).join('\n')) }));
      }
      await withStore(async (store) => {
        const s = await ingestObjects(store, s3Source(client, { bucket, prefix: 'AWSLogs/' }));
        expect({ objects: s.objects, rows: s.rows, rejected: s.rejected }).toEqual({ objects: 3, rows: 3000, rejected: 0 });
      });
      small = (await listS3Objects(client, { bucket, prefix: 'AWSLogs/' })).objects[0];
    } finally { client.destroy(); }

    const { ca: _ca, ...noCa } = settings;
    const untrusting = makeS3Client({ ...noCa });
    try {
      await expect(listS3Objects(untrusting, { bucket, prefix: 'AWSLogs/' })).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
      const e = await readS3Object(untrusting, small!).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(FlowlogError);
      expect((e as FlowlogError).code).toBe('SOURCE_UNAVAILABLE');
      expect((e as Error).message).toMatch(/self[- ]signed|unable to (get|verify)/i);
    } finally { untrusting.destroy(); }
  }, 60_000);
});
