/**
 * AWS Signature Version 4 for the lean calls (aws-lean.ts): the header
 * signature the SDK's signer (@smithy/signature-v4) gives for the same request,
 * computed with node:crypto directly.
 *
 * Why not the SDK's signer: behind a 20 ms S3 it took ~0.87 s of the ~11 s
 * the main thread worked for 20,000 small objects, ~43 µs a request
 * (docs/performance.md, Latest run): each signature paid an HMAC of the
 * credentials to find its cached signing key, a promise per hash, and
 * byte-array copies of each string. Here a signature is one SHA-256 and one
 * HMAC, with the signing key kept per day. `test/sigv4.test.ts` checks every
 * header, the path and the query against the SDK's signer on generated
 * requests (string header values, as the SDK's signer takes them).
 */
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { AwsCredentialIdentity, HttpRequest as SignableRequest } from '@smithy/types';

/** What the lean calls ask of a signer: a signed copy of the request. */
export interface RequestSigner {
  sign(request: SignableRequest, opts: { signingDate: Date }): Promise<SignableRequest>;
}

export interface SigV4Options {
  credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>);
  region: string;
  service: string;
  /** The path encoded again for signing (every service but S3, which signs the path as sent). */
  uriEscapePath?: boolean;
  /** Add x-amz-content-sha256 (S3 wants it; the SDK's default). */
  applyChecksum?: boolean;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Headers the SDK never signs (a proxy or the HTTP stack may change them on the way). */
const UNSIGNABLE = new Set(['authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma', 'referer', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id']);
/** Replaced by the signature's own. */
const GENERATED = new Set(['authorization', 'x-amz-date', 'date']);
/** A header value the SDK rewrites (line breaks, tabs, runs of spaces, a space at either end); most are left as they are. */
const FOLDED = /[\r\n\t]| {2}|^ | $/;

/** RFC 3986 encoding, as SigV4 asks: encodeURIComponent and !'()* too. */
const escapeUri = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class SigV4 implements RequestSigner {
  private readonly provide: () => Promise<AwsCredentialIdentity>;
  private readonly escapePath: boolean;
  private readonly checksum: boolean;
  /** The signing key of one day and secret: a day's requests share it. */
  private key: { secret: string; day: string; key: KeyObject } | null = null;
  /** The last second's x-amz-date, formatted once. */
  private stamp = { second: NaN, long: '' };

  constructor(private readonly opts: SigV4Options) {
    const c = opts.credentials;
    this.provide = typeof c === 'function' ? c : () => Promise.resolve(c);
    this.escapePath = opts.uriEscapePath ?? true;
    this.checksum = opts.applyChecksum ?? true;
  }

  async sign(request: SignableRequest, { signingDate }: { signingDate: Date }): Promise<SignableRequest> {
    const creds = await this.provide();
    if (typeof creds?.accessKeyId !== 'string' || typeof creds.secretAccessKey !== 'string') throw new Error('Resolved credential object is not valid');
    const long = this.longDate(signingDate);
    const day = long.slice(0, 8);
    const scope = `${day}/${this.opts.region}/${this.opts.service}/aws4_request`;
    const headers: Record<string, string> = {};
    for (const name in request.headers) {
      if (Object.hasOwn(request.headers, name) && !GENERATED.has(name.toLowerCase())) headers[name] = request.headers[name]!;
    }
    headers['x-amz-date'] = long;
    if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
    // a checksum header given is the payload's hash as it is, even unset (the SDK signs "undefined" then)
    let payload: string | null = null;
    for (const name in headers) if (name.toLowerCase() === 'x-amz-content-sha256') { payload = `${headers[name]}`; break; }
    if (payload === null) {
      payload = payloadHash(request.body);
      if (this.checksum) headers['x-amz-content-sha256'] = payload;
    }
    // the SDK's order: headers by their given name, the last of two spellings of one name wins
    const canonical = new Map<string, string>();
    for (const name of Object.keys(headers).sort()) {
      const value = headers[name];
      if (value == undefined) continue;
      if (typeof value !== 'string') throw new TypeError(`header ${name} is not a string`);
      const lower = name.toLowerCase();
      if (UNSIGNABLE.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-')) continue;
      canonical.set(lower, FOLDED.test(value) ? value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : value);
    }
    const names = [...canonical.keys()].sort();
    let lines = '';
    for (const n of names) lines += `${n}:${canonical.get(n)}\n`;
    const signed = names.join(';');
    // as the SDK's request does: a path always starts with a slash
    const path = !request.path ? '/' : request.path.startsWith('/') ? request.path : `/${request.path}`;
    const canonicalRequest = `${request.method}\n${this.path(path)}\n${canonicalQuery(request.query)}\n${lines}\n${signed}\n${payload}`;
    const toSign = `AWS4-HMAC-SHA256\n${long}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(creds.secretAccessKey, day)).update(toSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
    const query: SignableRequest['query'] = {};
    for (const k in request.query) if (Object.hasOwn(request.query, k)) { const v = request.query[k]; query[k] = Array.isArray(v) ? [...v] : v!; }
    return { ...request, path, headers, query };
  }

  private longDate(d: Date): string {
    const second = Math.floor(d.getTime() / 1000);
    if (second !== this.stamp.second) this.stamp = { second, long: d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '') };
    return this.stamp.long;
  }

  private signingKey(secret: string, day: string): KeyObject {
    const k = this.key;
    if (k && k.secret === secret && k.day === day) return k.key;
    let key: Buffer | string = `AWS4${secret}`;
    for (const part of [day, this.opts.region, this.opts.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    this.key = { secret, day, key: createSecretKey(key as Buffer) };
    return this.key.key;
  }

  private path(path: string): string {
    if (!this.escapePath) return path;
    const segments: string[] = [];
    for (const s of path.split('/')) {
      if (s.length === 0 || s === '.') continue;
      if (s === '..') segments.pop(); else segments.push(s);
    }
    const normal = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
    return escapeUri(normal).replace(/%2F/g, '/');
  }
}

function payloadHash(body: unknown): string {
  if (body == undefined) return EMPTY_SHA256;
  if (typeof body === 'string' || ArrayBuffer.isView(body)) return createHash('sha256').update(body as string | Uint8Array).digest('hex');
  if (body instanceof ArrayBuffer) return createHash('sha256').update(new Uint8Array(body)).digest('hex');
  return 'UNSIGNED-PAYLOAD';
}

function canonicalQuery(query: SignableRequest['query']): string {
  // as the SDK's: a key listed once per raw key that encodes to it, its value the last one's
  const keys: string[] = [];
  const parts: Record<string, string> = {};
  for (const key in query) {
    if (!Object.hasOwn(query, key) || key.toLowerCase() === 'x-amz-signature') continue;
    const k = escapeUri(key);
    keys.push(k);
    const value = query[key];
    if (typeof value === 'string') parts[k] = `${k}=${escapeUri(value)}`;
    else if (Array.isArray(value)) parts[k] = value.map((v) => `${k}=${escapeUri(v)}`).sort().join('&');
  }
  return keys.sort().map((k) => parts[k]).filter((s) => s).join('&');
}
