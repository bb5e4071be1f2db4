/**
 * A whole-object GET without the SDK's middleware stack: the request signed
 * with the SDK's own SigV4 signer (@smithy/signature-v4) and sent straight on
 * the client's keep-alive agents. For a small object the stack (serialisers,
 * a dozen middlewares, the response's deserialiser, the checksum wrapper) cost
 * about as much CPU as reading the object; this path costs a signature and an
 * HTTP exchange.
 *
 * Everything that decides where and how a request goes is still the client's:
 * its credential provider (env, profile, SSO, roles, session tokens), its
 * region, its endpoint rules (custom endpoint, path-style, virtual host, FIPS,
 * dual-stack), its clock-skew correction, and its retry strategy (the same
 * adaptive token bucket the SDK's own requests draw from, so throttling seen by
 * either slows both). A bucket whose endpoint rules ask for anything but plain
 * SigV4 (S3 Express, multi-region access points) is left to the SDK.
 *
 * Errors look like the SDK's to the code above: `name` is S3's error code and
 * `$metadata.httpStatusCode` the status, so 404/412 stay final answers.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest as SignableRequest } from '@smithy/types';
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';

/** SHA-256 of an empty body: a GET's payload hash. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Credentials are asked for again this long before they expire (the SDK's own margin is 5 minutes). */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** A connection that sends nothing this long is given up (then retried, or the body resumed). */
export const IDLE_TIMEOUT_MS = 60_000;
/** How much of an error response is read for its code and message. */
const ERROR_BODY_MAX = 16 << 10;

/** What a GET answered: the body as it arrives and its Content-Length (-1 without one). */
export interface S3GetPart { body: AsyncIterable<Uint8Array>; length: number }

/** Where a bucket's objects are: the base URL the client's endpoint rules give, and how to sign for it. */
export interface S3GetTarget { url: URL; signingRegion: string; signingName: string }

/** An S3 error response (or a broken exchange), shaped like the SDK's service exceptions. */
export class S3GetError extends Error {
  readonly $metadata: { httpStatusCode?: number };
  readonly retryAfter?: Date;
  constructor(name: string, message: string, status?: number, opts: { cause?: unknown; retryAfter?: Date } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = name;
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
    if (opts.retryAfter) this.retryAfter = opts.retryAfter;
  }
}

/** S3's key encoding (the SDK's greedy label): each segment percent-encoded, including !'()*, slashes kept. */
export function encodeKey(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/** The unsigned request for one GET (a Range from `offset` on, pinned to the etag when there is one). */
export function buildGetRequest(t: S3GetTarget, key: string, etag: string, offset: number): SignableRequest {
  const base = t.url.pathname.endsWith('/') ? t.url.pathname.slice(0, -1) : t.url.pathname;
  const headers: Record<string, string> = { host: t.url.host, 'x-amz-content-sha256': EMPTY_SHA256 };
  if (etag) headers['if-match'] = etag;
  if (offset > 0) headers.range = `bytes=${offset}-`;
  return {
    method: 'GET', protocol: t.url.protocol, hostname: t.url.hostname,
    ...(t.url.port ? { port: Number(t.url.port) } : {}),
    path: `${base}/${encodeKey(key)}`, query: {}, headers,
  };
}

type Sha256Ctor = ConstructorParameters<typeof SignatureV4>[0]['sha256'];

/**
 * The signer for a target: S3's flavour of SigV4 (the path signed as sent, not
 * encoded twice), with the client's SHA-256 and credential provider.
 */
export function s3Signer(t: S3GetTarget, credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>), sha256: Sha256Ctor, escapePath = false): SignatureV4 {
  return new SignatureV4({ credentials, region: t.signingRegion, service: t.signingName, sha256, uriEscapePath: escapePath });
}

/** The SDK's retry classes for what a GET met (smithy's service-error-classification, for the cases a GET meets). */
const THROTTLING = /^(Throttling|ThrottlingException|ThrottledException|RequestThrottledException|TooManyRequestsException|ProvisionedThroughputExceededException|TransactionInProgressException|RequestLimitExceeded|BandwidthLimitExceeded|LimitExceededException|RequestThrottled|SlowDown|PriorRequestNotComplete|EC2ThrottledException)$/;
const TRANSIENT_CODES = /^(TimeoutError|RequestTimeout|RequestTimeoutException|InternalError)$/;
const NETWORK = /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_SOCKET)$/;
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';
export function retryClass(e: unknown): RetryErrorType {
  const status = (e as S3GetError).$metadata?.httpStatusCode;
  const name = (e as Error).name ?? '';
  if (status === 429 || THROTTLING.test(name)) return 'THROTTLING';
  if (status === undefined) return NETWORK.test((e as NodeJS.ErrnoException).code ?? '') || TRANSIENT_CODES.test(name) ? 'TRANSIENT' : 'CLIENT_ERROR';
  if (status === 500 || status === 502 || status === 503 || status === 504 || TRANSIENT_CODES.test(name)) return 'TRANSIENT';
  return status >= 500 ? 'SERVER_ERROR' : 'CLIENT_ERROR';
}

interface RetryToken { getRetryCount(): number }
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { errorType: RetryErrorType; retryAfterHint?: Date }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

/** The part of the S3 client's resolved config this path reads (all of it the SDK's own providers). */
interface ClientConfig {
  credentials: (o?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;
  region: () => Promise<string>;
  endpointProvider: (params: Record<string, unknown>) => { url: URL; headers?: Record<string, unknown>; properties?: { authSchemes?: { name?: string; signingName?: string; signingRegion?: string }[] } };
  retryStrategy: () => Promise<RetryStrategy>;
  sha256: Sha256Ctor;
  signingEscapePath?: boolean;
  systemClockOffset?: number;
  forcePathStyle?: boolean;
  useAccelerateEndpoint?: boolean;
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
}

export interface LeanGetOptions {
  agents: { http: HttpAgent; https: HttpsAgent };
  /** The custom endpoint the client was made with (S3-compatible servers), as a URL string. */
  endpoint?: string;
}

export class LeanGet {
  private readonly cfg: ClientConfig;
  private creds: AwsCredentialIdentity | null = null;
  private credsPending: Promise<AwsCredentialIdentity> | null = null;
  private readonly targets = new Map<string, Promise<{ target: S3GetTarget; signer: SignatureV4 } | null>>();
  private retry: Promise<RetryStrategy> | null = null;

  constructor(client: S3Client, private readonly opts: LeanGetOptions) {
    this.cfg = client.config as unknown as ClientConfig;
  }

  /** The client's credentials, held until shortly before they expire (then its provider is asked again). */
  private credentials = (): Promise<AwsCredentialIdentity> => {
    const c = this.creds;
    if (c && (!c.expiration || c.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS)) return Promise.resolve(c);
    this.credsPending ??= this.cfg.credentials().then((fresh) => { this.creds = fresh; return fresh; }).finally(() => { this.credsPending = null; });
    return this.credsPending;
  };

  /** Where the bucket is and its signer, from the client's endpoint rules; null = not plain SigV4, the SDK's. */
  target(bucket: string): Promise<{ target: S3GetTarget; signer: SignatureV4 } | null> {
    let t = this.targets.get(bucket);
    if (!t) {
      t = (async () => {
        const region = await this.cfg.region();
        const ep = this.cfg.endpointProvider({
          Bucket: bucket, Region: region,
          UseFIPS: await this.cfg.useFipsEndpoint(), UseDualStack: await this.cfg.useDualstackEndpoint(),
          ForcePathStyle: this.cfg.forcePathStyle ?? false, Accelerate: this.cfg.useAccelerateEndpoint ?? false,
          ...(this.opts.endpoint ? { Endpoint: this.opts.endpoint } : {}),
        });
        const auth = ep.properties?.authSchemes?.[0];
        if ((auth && auth.name !== 'sigv4') || Object.keys(ep.headers ?? {}).length > 0) return null;
        const target = { url: new URL(ep.url.href), signingRegion: auth?.signingRegion ?? region, signingName: auth?.signingName ?? 's3' };
        return { target, signer: s3Signer(target, this.credentials, this.cfg.sha256, this.cfg.signingEscapePath ?? false) };
      })();
      t.catch(() => this.targets.delete(bucket));
      this.targets.set(bucket, t);
    }
    return t;
  }

  /**
   * The object from `offset` on (a Range request past 0), pinned to its etag;
   * retried like the SDK retries (throttling and transient failures, with
   * backoff, until the response starts). Null: this bucket goes through the SDK.
   */
  async get(bucket: string, key: string, etag: string, offset: number): Promise<S3GetPart | null> {
    const t = await this.target(bucket);
    if (!t) return null;
    this.retry ??= this.cfg.retryStrategy();
    const strategy = await this.retry;
    let token = await strategy.acquireInitialRetryToken('');
    for (;;) {
      try {
        const part = await this.once(t.target, t.signer, key, etag, offset);
        strategy.recordSuccess(token);
        return part;
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'ExpiredToken' || name === 'InvalidToken') this.creds = null;
        try {
          token = await strategy.refreshRetryTokenForRetry(token, { errorType: retryClass(e), ...((e as S3GetError).retryAfter ? { retryAfterHint: (e as S3GetError).retryAfter } : {}) });
        } catch { throw e; }
      }
    }
  }

  private async once(t: S3GetTarget, signer: SignatureV4, key: string, etag: string, offset: number): Promise<S3GetPart> {
    const signed = await signer.sign(buildGetRequest(t, key, etag, offset), { signingDate: new Date(Date.now() + (this.cfg.systemClockOffset ?? 0)) });
    const res = await send(signed, t.url.protocol === 'https:' ? this.opts.agents.https : this.opts.agents.http);
    const status = res.statusCode ?? 0;
    if (status === 200 || status === 206) {
      if (offset > 0 && status === 200) {
        res.destroy();
        throw new S3GetError('RangeIgnored', `asked for bytes ${offset}- the server sent the whole object`, 500);
      }
      const len = res.headers['content-length'];
      return { body: res, length: len === undefined ? -1 : Number(len) };
    }
    throw await errorOf(res, status);
  }
}

function send(r: SignableRequest, agent: HttpAgent | HttpsAgent): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (r.protocol === 'https:' ? httpsRequest : httpRequest)({
      method: r.method, hostname: r.hostname, ...(r.port ? { port: r.port } : {}), path: r.path,
      headers: r.headers as OutgoingHttpHeaders, agent,
    }, resolve);
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** S3's error document (<Code>, <Message>) as an error the SDK would have thrown. */
async function errorOf(res: IncomingMessage, status: number): Promise<S3GetError> {
  let text = '';
  try {
    for await (const chunk of res) {
      if (text.length < ERROR_BODY_MAX) text += (chunk as Buffer).toString('utf8');
    }
  } catch { /* what arrived is enough */ }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? (status === 404 ? 'NotFound' : status === 412 ? 'PreconditionFailed' : `Http${status}`);
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? (res.statusMessage || 'no message');
  const after = res.headers['retry-after'];
  const retryAfter = after === undefined ? undefined : /^\d+$/.test(after) ? new Date(Date.now() + Number(after) * 1000) : new Date(after);
  return new S3GetError(code, `${code} (HTTP ${status}): ${message}`, status, retryAfter && !Number.isNaN(retryAfter.getTime()) ? { retryAfter } : {});
}

const attached = new WeakMap<S3Client, LeanGet>();
/** Gives the client a lean GET for whole objects (makeS3Client does, unless told not to). */
export function attachLeanGet(client: S3Client, opts: LeanGetOptions): void { attached.set(client, new LeanGet(client, opts)); }
/** The client's lean GET, if it has one. */
export function leanGetOf(client: S3Client): LeanGet | undefined { return attached.get(client); }
