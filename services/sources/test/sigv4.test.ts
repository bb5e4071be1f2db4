/**
 * The lean signer against the SDK's own (@smithy/signature-v4), which AWS
 * services accept: for generated requests (methods, paths with dots and odd
 * characters, query strings, headers in any case with folded whitespace,
 * unsignable headers, bodies of each kind, session tokens, both path modes,
 * with and without the checksum header) both must give the same headers,
 * signature included. Plus AWS's documented example, and a signing key that
 * follows the day and the credentials.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest } from '@smithy/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SigV4 } from '../sigv4.js';

/** The SHA-256 the SDK's clients sign with. */
const sha256 = (new S3Client({ region: 'us-east-1' }).config as unknown as { sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'] }).sha256;

const text = (max = 12) => fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.', '~', ' ', '/', '%', '!', '*', '(', '+', '=', '&', 'é', '😀'), maxLength: max });
const headerName = fc.constantFrom('Host', 'host', 'X-Amz-Target', 'content-type', 'Content-Type', 'range', 'if-match', 'user-agent', 'Authorization', 'date',
  'x-amz-date', 'proxy-auth', 'Sec-Fetch', 'x-amz-content-sha256', 'X-Amz-Content-Sha256', 'X-Amz-Security-Token', 'X-Amz-Meta-Key', 'connection');
const headerValue = fc.oneof({ weight: 9, arbitrary: fc.string({ unit: fc.constantFrom('a', 'B', '1', ' ', '\t', '\n', '\r', ';', ',', '=', '/'), maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constant(undefined) });

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD'),
  // with and without the leading slash (the SDK's request adds it), and empty
  path: fc.array(fc.oneof(text(), fc.constantFrom('.', '..', '')), { maxLength: 5 }).chain((segs) => fc.constantFrom(`/${segs.join('/')}`, `/${segs.join('/')}/`, segs.join('/'))),
  query: fc.dictionary(text(6), fc.oneof(text(), fc.array(text(), { maxLength: 3 }))),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
  body: fc.option(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((a) => a.buffer)), { nil: undefined }),
});
const creds = fc.record({ accessKeyId: fc.constantFrom('AKIDEXAMPLE', 'GOOD'), secretAccessKey: fc.constantFrom('s', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'), sessionToken: fc.option(fc.constantFrom('TOKEN', 'a/b+c=='), { nil: undefined }) });
/** Dates far apart, and dates within seconds of each other around midnight: the signer's day key and formatted second are cached. */
const MIDNIGHT = Date.UTC(2026, 0, 2);
const date = fc.oneof(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  fc.integer({ min: -3000, max: 3000 }).map((ms) => new Date(MIDNIGHT + ms)));

type Opts = { region: string; service: string; uriEscapePath: boolean; applyChecksum: boolean };
const sdkSigner = (c: AwsCredentialIdentity, opts: Opts) => new SignatureV4({ ...opts, credentials: c, sha256 });
/** Our signers live across runs, one per setting, as in a process: their caches meet every run's credentials and dates. */
let current: AwsCredentialIdentity = { accessKeyId: '', secretAccessKey: '' };
const ours = new Map<string, SigV4>();
const ourSigner = (opts: Opts) => {
  const key = JSON.stringify(opts);
  if (!ours.has(key)) ours.set(key, new SigV4({ ...opts, credentials: () => Promise.resolve(current) }));
  return ours.get(key)!;
};

describe('SigV4', () => {
  it('signs every request as the SDK\'s signer does', async () => {
    await fc.assert(fc.asyncProperty(request, creds, fc.boolean(), fc.boolean(), date, fc.constantFrom('us-east-1', 'eu-west-1'), fc.constantFrom('s3', 'sqs'),
      async (r, c, uriEscapePath, applyChecksum, at, region, service) => {
        const req = { protocol: 'https:', hostname: 'example.amazonaws.com', ...r, headers: { host: 'example.amazonaws.com', ...r.headers } } as HttpRequest;
        const opts = { region, service, uriEscapePath, applyChecksum };
        current = c;
        const want = await sdkSigner(c, opts).sign(req, { signingDate: at });
        const got = await ourSigner(opts).sign(req, { signingDate: at });
        expect(got.headers).toStrictEqual({ ...want.headers });
        expect(got.query).toStrictEqual({ ...want.query });
        expect(got.path).toBe(want.path);
        expect(req.headers.authorization).toBeUndefined(); // the request given is left as it was
      }), { numRuns: 600 });
  });

  // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
  it('gives the signature AWS documents for its GET Object example', async () => {
    const signer = new SigV4({ credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, region: 'us-east-1', service: 's3', uriEscapePath: false });
    const signed = await signer.sign({ method: 'GET', protocol: 'https:', hostname: 'examplebucket.s3.amazonaws.com', path: '/test.txt', query: {},
      headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' } },
    { signingDate: new Date('2013-05-24T00:00:00Z') });
    expect(signed.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, '
      + 'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it('keeps the signing key for a day and for one secret: a new day or refreshed credentials sign with their own', async () => {
    let c: AwsCredentialIdentity = { accessKeyId: 'A', secretAccessKey: 'one' };
    const signer = new SigV4({ credentials: () => Promise.resolve(c), region: 'us-east-1', service: 's3' });
    const req: HttpRequest = { method: 'GET', protocol: 'https:', hostname: 'h', path: '/k', query: {}, headers: { host: 'h' } };
    for (const [secret, at] of [['one', '2026-01-01T10:00:00Z'], ['one', '2026-01-01T10:00:00.500Z'], ['one', '2026-01-02T00:00:01Z'], ['two', '2026-01-02T00:00:02Z']] as const) {
      c = { accessKeyId: 'A', secretAccessKey: secret, sessionToken: secret === 'two' ? 'T' : undefined };
      const sdk = sdkSigner(c, { region: 'us-east-1', service: 's3', uriEscapePath: true, applyChecksum: true });
      expect((await signer.sign(req, { signingDate: new Date(at) })).headers).toStrictEqual({ ...(await sdk.sign(req, { signingDate: new Date(at) })).headers });
    }
  });

  it('refuses credentials without a key, as the SDK does', async () => {
    const signer = new SigV4({ credentials: () => Promise.resolve({} as AwsCredentialIdentity), region: 'r', service: 's' });
    await expect(signer.sign({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/', query: {}, headers: {} }, { signingDate: new Date() })).rejects.toThrow(/not valid/);
  });
});
