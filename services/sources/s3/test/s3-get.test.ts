/**
 * The lean GET's request: built and signed as S3 expects (checked against the
 * signature AWS documents for its GET example), addressed by the client's own
 * endpoint rules, and its failures sorted into the SDK's retry classes.
 */
import { describe, expect, it } from 'vitest';
import { makeS3Client } from '../client.js';
import { retryClass } from '../../aws-lean.js';
import { buildGetRequest, EMPTY_SHA256, encodeKey, LeanGet, leanGetOf, S3GetError, s3Signer } from '../s3-get.js';

describe('signing', () => {
  // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
  it('gives the signature AWS documents for its GET Object example', async () => {
    const target = { url: new URL('https://examplebucket.s3.amazonaws.com/'), signingRegion: 'us-east-1', signingName: 's3' };
    const req = buildGetRequest(target, 'test.txt', '', 0);
    req.headers.range = 'bytes=0-9'; // the example's range (ours always runs to the end)
    const signer = s3Signer(target, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    const signed = await signer.sign(req, { signingDate: new Date('2013-05-24T00:00:00Z') });
    expect(signed.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, '
      + 'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    expect(signed.headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('signs If-Match and a session token too', async () => {
    const target = { url: new URL('http://127.0.0.1:19000/b'), signingRegion: 'us-east-1', signingName: 's3' };
    const signer = s3Signer(target, { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOKEN' });
    const signed = await signer.sign(buildGetRequest(target, 'k', 'abc123', 5), { signingDate: new Date('2026-01-01T00:00:00Z') });
    expect(signed.headers['x-amz-security-token']).toBe('TOKEN');
    expect(signed.headers.authorization).toMatch(/SignedHeaders=host;if-match;range;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  });
});

describe('the request', () => {
  it('encodes a key as S3 does: each segment, !\'()* included, slashes kept', () => {
    expect(encodeKey("AWSLogs/1/a b+c=d&e!f'g(h)i*j~k.log.gz")).toBe('AWSLogs/1/a%20b%2Bc%3Dd%26e%21f%27g%28h%29i%2Aj~k.log.gz');
    expect(encodeKey('ü/%')).toBe('%C3%BC/%25');
  });

  it('is a GET of the key under the target, pinned to the etag, ranged from a resume offset', () => {
    const target = { url: new URL('http://127.0.0.1:19000/bucket'), signingRegion: 'us-east-1', signingName: 's3' };
    expect(buildGetRequest(target, 'a/b c.gz', 'e1', 0)).toEqual({
      method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 19000, path: '/bucket/a/b%20c.gz', query: {},
      headers: { host: '127.0.0.1:19000', 'x-amz-content-sha256': EMPTY_SHA256, 'if-match': 'e1' },
    });
    const resumed = buildGetRequest({ ...target, url: new URL('https://bucket.s3.eu-west-1.amazonaws.com/') }, 'k', '', 1234);
    expect(resumed).toMatchObject({ protocol: 'https:', hostname: 'bucket.s3.eu-west-1.amazonaws.com', path: '/k', headers: { host: 'bucket.s3.eu-west-1.amazonaws.com', range: 'bytes=1234-' } });
    expect(resumed.port).toBeUndefined();
    expect(resumed.headers['if-match']).toBeUndefined();
  });
});

describe('addressing, from the client\'s endpoint rules', () => {
  const url = async (get: LeanGet | undefined, bucket: string) => (await get!.target(bucket))?.target.url.href;

  it('AWS: virtual host in the client\'s region; a bucket with dots by path (its name breaks the TLS certificate)', async () => {
    const client = makeS3Client({ region: 'eu-west-1', forcePathStyle: false, accessKeyId: 'a', secretAccessKey: 'b' });
    try {
      expect(await url(leanGetOf(client), 'my-logs')).toBe('https://my-logs.s3.eu-west-1.amazonaws.com/');
      expect(await url(leanGetOf(client), 'my.logs')).toBe('https://s3.eu-west-1.amazonaws.com/my.logs');
      expect((await leanGetOf(client)!.target('my-logs'))?.target.signingRegion).toBe('eu-west-1');
    } finally { client.destroy(); }
  });

  it('an S3-compatible endpoint: path-style under it', async () => {
    const client = makeS3Client({ endpoint: 'https://minio.internal:9000', region: 'us-east-1', forcePathStyle: true, accessKeyId: 'a', secretAccessKey: 'b' });
    try { expect(await url(leanGetOf(client), 'flows')).toBe('https://minio.internal:9000/flows'); } finally { client.destroy(); }
  });

  it('is off when the settings say so: every GET goes through the SDK', () => {
    const client = makeS3Client({ region: 'us-east-1', leanGet: false });
    try { expect(leanGetOf(client)).toBeUndefined(); } finally { client.destroy(); }
  });
});

describe('retry classes (as the SDK sorts them)', () => {
  it('throttling, transient, and final answers', () => {
    expect(retryClass(new S3GetError('SlowDown', 'x', 503))).toBe('THROTTLING');
    expect(retryClass(new S3GetError('Http429', 'x', 429))).toBe('THROTTLING');
    expect(retryClass(new S3GetError('InternalError', 'x', 500))).toBe('TRANSIENT');
    expect(retryClass(new S3GetError('Http502', 'x', 502))).toBe('TRANSIENT');
    expect(retryClass(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('TRANSIENT');
    expect(retryClass(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('TRANSIENT');
    expect(retryClass(new S3GetError('NoSuchKey', 'x', 404))).toBe('CLIENT_ERROR');
    expect(retryClass(new S3GetError('PreconditionFailed', 'x', 412))).toBe('CLIENT_ERROR');
    expect(retryClass(new S3GetError('InvalidAccessKeyId', 'x', 403))).toBe('CLIENT_ERROR');
    expect(retryClass(new S3GetError('NotImplemented', 'x', 501))).toBe('SERVER_ERROR');
  });
});
