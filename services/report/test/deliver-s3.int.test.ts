/**
 * S3 delivery against a real S3 server (started by the vitest global setup,
 * or the one S3_ENDPOINT names): dated and latest objects with their
 * content types.
 */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeS3Client, s3SettingsFromEnv } from '../../sources/s3/client.js';
import { deliverReport } from '../deliver.js';
import { renderReport } from '../report-files.js';
import { reportFixture } from './fixture.js';
import { testBucket } from '../../../test/s3.js';

const bucket = testBucket('flowlog-report');
let client: S3Client;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  client = makeS3Client(s3SettingsFromEnv());
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => client?.destroy());

describe('s3 delivery', () => {
  it('puts the three files under <prefix>/<stamp>/ and <prefix>/latest/ with their content types', async () => {
    const report = renderReport(reportFixture());
    const [r] = await deliverReport(report, [{ s3: `s3://${bucket}/reports/prod-eu/` }], { s3Client: () => client });
    expect(r).toEqual({ target: `s3 s3://${bucket}/reports/prod-eu/`, location: `s3://${bucket}/reports/prod-eu/2026-05-02T060500Z/` });

    const keys = ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }))).Contents ?? []).map((o) => o.Key).sort();
    expect(keys).toEqual(['2026-05-02T060500Z', 'latest'].flatMap((dir) => ['report.html', 'report.json', 'report.md'].map((n) => `reports/prod-eu/${dir}/${n}`)));
    const types = { 'report.html': 'text/html; charset=utf-8', 'report.md': 'text/markdown; charset=utf-8', 'report.json': 'application/json; charset=utf-8' };
    for (const f of report.files) {
      for (const dir of ['2026-05-02T060500Z', 'latest']) {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `reports/prod-eu/${dir}/${f.name}` }));
        expect(head.ContentType).toBe(types[f.name]);
        expect(head.CacheControl).toBe(dir === 'latest' ? 'no-cache' : 'max-age=31536000, immutable');
      }
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `reports/prod-eu/latest/${f.name}` }));
      expect(await got.Body!.transformToString()).toBe(f.body);
    }
  });

  it('a failing target does not stop the others, and the error names it', async () => {
    const report = renderReport(reportFixture());
    const e = await deliverReport(report, [{ s3: 's3://no-such-bucket-flowlog-test/x' }, { s3: `s3://${bucket}/second` }], { s3Client: () => client }).catch((x: unknown) => x);
    expect((e as Error).name).toBe('DeliveryError');
    expect((e as Error).message).toMatch(/failed for 1 of 2 targets: s3 s3:\/\/no-such-bucket-flowlog-test\/x: /);
    const keys = ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'second/' }))).Contents ?? []).length;
    expect(keys).toBe(6);
  });
});
