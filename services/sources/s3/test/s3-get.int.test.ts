/**
 * The lean GET (s3-get.ts) against the real S3 server: a small object whole,
 * the final answers (412 for a replaced object, 404 for a gone one) left final,
 * a connection cut mid-body resumed with a Range pinned by If-Match, refused
 * credentials a SOURCE_UNAVAILABLE that says why, and, against a stand-in
 * that throttles, 503 SlowDown retried with the client's backoff, and
 * credentials taken from the client's provider, refreshed near expiry.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Agent as HttpAgent, createServer, type Server } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Front, type FlakyFront } from '../../../../test/flaky-front.js';
import { benchLines, HEADER } from '../../../bench/dataset.js';
import { FlowlogError } from '../../../core/errors.js';
import { makeS3Client, s3SettingsFromEnv } from '../client.js';
import { readS3Object } from '../s3-body.js';
import { attachLeanGet, leanGetOf } from '../s3-get.js';
import { listS3Objects } from '../s3-source.js';
import { testBucket } from '../../../../test/s3.js';

const bucket = testBucket('flowlog-get');
const KEY = "AWSLogs/1/vpcflowlogs/us-east-1/2026/05/01/a b+(c)!.log.gz"; // characters S3's key encoding must get right
let body: Buffer;
let etag: string;
let flaky: FlakyFront;

beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: the global setup starts the S3 server (infra/s3/s3.sh); it must not be missing');
  body = gzipSync(`${HEADER}\n${benchLines(2000, 31).join('\n')}\n`);
  const client = makeS3Client(s3SettingsFromEnv());
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: body }));
  etag = (await listS3Objects(client, { bucket, prefix: '' })).objects[0]!.etag;
  client.destroy();
  flaky = await startS3Front();
}, 60_000);
afterAll(async () => { await flaky?.close(); });

const withClient = async <T>(f: (c: ReturnType<typeof makeS3Client>) => Promise<T>, endpoint?: string, creds?: { accessKeyId: string; secretAccessKey: string }): Promise<T> => {
  const client = makeS3Client({ ...s3SettingsFromEnv(), ...(endpoint ? { endpoint } : {}), ...(creds ?? {}) });
  expect(leanGetOf(client)).toBeDefined();
  try { return await f(client); } finally { client.destroy(); }
};

describe('the lean GET', () => {
  it('reads a small object whole, byte for byte', async () => {
    const got = await withClient((c) => readS3Object(c, { bucket, key: KEY, etag }));
    expect(got.equals(body)).toBe(true);
  });

  it('an object replaced since it was listed (If-Match fails) is a final 412, not a source fault', async () => {
    const e = await withClient((c) => readS3Object(c, { bucket, key: KEY, etag: '0123456789abcdef0123456789abcdef' })).catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(FlowlogError);
    expect((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(412);
    expect((e as Error).name).toBe('PreconditionFailed');
  });

  it('an object gone since it was listed is a final 404', async () => {
    const e = await withClient((c) => readS3Object(c, { bucket, key: `${KEY}.gone`, etag })).catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(FlowlogError);
    expect((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(404);
    expect((e as Error).name).toBe('NoSuchKey');
  });

  it('a connection cut mid-body is resumed with a Range from where it broke, pinned to the etag', async () => {
    const seen = flaky.requests.length;
    flaky.cutNextAfter(body.length >> 1);
    const resumes: number[] = [];
    const got = await withClient((c) => readS3Object(c, { bucket, key: KEY, etag }, { backoffMs: 1, onResume: (r) => resumes.push(r.offset) }), `http://127.0.0.1:${flaky.port}`);
    expect(got.equals(body)).toBe(true);
    expect(resumes).toHaveLength(1);
    const ranged = flaky.requests.slice(seen).filter((h) => /\r\nrange: bytes=\d+-/i.test(h));
    expect(ranged).toHaveLength(1);
    expect(ranged[0]).toMatch(new RegExp(`\\r\\nif-match: ${etag}`, 'i'));
    expect(Number(/range: bytes=(\d+)-/i.exec(ranged[0]!)![1])).toBe(resumes[0]);
  });

  it('refused credentials are SOURCE_UNAVAILABLE naming S3\'s reason (not retried, not final)', async () => {
    const e = await withClient((c) => readS3Object(c, { bucket, key: KEY, etag }), undefined, { accessKeyId: 'nobody', secretAccessKey: 'wrong-secret-key' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FlowlogError);
    expect((e as FlowlogError).code).toBe('SOURCE_UNAVAILABLE');
    expect((e as Error).message).toMatch(/the GET failed: InvalidAccessKeyId \(HTTP 403\): /);
  });
});

describe('the lean GET, against a stand-in server', () => {
  let server: Server;
  let answers: { status: number; code?: string }[] = [];
  let seen = 0;
  const tokens: (string | undefined)[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen++;
      tokens.push(req.headers['x-amz-security-token'] as string | undefined);
      const a = answers.shift() ?? { status: 200 };
      if (a.status !== 200) {
        res.writeHead(a.status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${a.code}</Code><Message>try later</Message></Error>`);
        return;
      }
      res.writeHead(200); // no Content-Length: chunked, the length is learned from the body
      res.write(body.subarray(0, 100));
      res.end(body.subarray(100));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  it('503 SlowDown and 500 are retried with backoff until the object comes', async () => {
    answers = [{ status: 503, code: 'SlowDown' }, { status: 500, code: 'InternalError' }];
    seen = 0;
    const got = await withClient((c) => readS3Object(c, { bucket: 'b', key: 'k', etag: 'e' }), `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(got.equals(body)).toBe(true);
    expect(seen).toBe(3);
  }, 60_000);

  it('a 404 is asked once', async () => {
    answers = [{ status: 404, code: 'NoSuchKey' }];
    seen = 0;
    const e = await withClient((c) => readS3Object(c, { bucket: 'b', key: 'k', etag: 'e' }), `http://127.0.0.1:${(server.address() as AddressInfo).port}`).catch((x: unknown) => x);
    expect((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(404);
    expect(seen).toBe(1);
  });

  it('takes credentials from the client\'s provider: held while valid, asked again near expiry, session token sent', async () => {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = async (lifetimeMs: number) => {
      let asked = 0;
      const client = new S3Client({
        endpoint, region: 'us-east-1', forcePathStyle: true,
        credentials: async () => ({ accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: `t${++asked}`, expiration: new Date(Date.now() + lifetimeMs) }),
      });
      attachLeanGet(client, { agents: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent() }, endpoint });
      tokens.length = 0;
      try {
        for (let i = 0; i < 3; i++) expect((await readS3Object(client, { bucket: 'b', key: 'k', etag: 'e' })).equals(body)).toBe(true);
      } finally { client.destroy(); }
      return { asked, tokens: [...tokens] };
    };
    expect(await run(3600_000)).toEqual({ asked: 1, tokens: ['t1', 't1', 't1'] });
    // within 5 minutes of expiry: asked again before each request (the SDK's own memo may ask once more), the newest sent
    const short = await run(60_000);
    expect(new Set(short.tokens).size).toBe(3);
    expect(short.tokens[2]).toBe(`t${short.asked}`);
  });
});
