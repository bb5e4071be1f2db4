/**
 * A whole-object GET without the SDK's middleware stack: the request signed
 * (../sigv4.ts, the SDK's signature computed directly) and sent straight on
 * the client's keep-alive agents. For a small object the stack (serialisers,
 * a dozen middlewares, the response's deserialiser, the checksum wrapper) cost
 * about as much CPU as reading the object; this path costs a signature and an
 * HTTP exchange.
 *
 * Everything that decides where and how a request goes is still the client's
 * (../aws-lean.ts), its endpoint rules included (custom endpoint, path-style,
 * virtual host, FIPS, dual-stack). A bucket whose endpoint rules ask for
 * anything but plain SigV4 (S3 Express, multi-region access points) is left to
 * the SDK.
 *
 * Errors look like the SDK's to the code above: `name` is S3's error code and
 * `$metadata.httpStatusCode` the status, so 404/412 stay final answers.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, HttpRequest as SignableRequest } from '@smithy/types';
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { AwsCallError, LeanCalls, readText, retryAfterOf, type SdkClientConfig } from '../aws-lean.js';
import { SigV4 } from '../sigv4.js';

/** SHA-256 of an empty body: a GET's payload hash. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** How much of an error response is read for its code and message. */
const ERROR_BODY_MAX = 16 << 10;

/** What a GET answered: the body as it arrives and its Content-Length (-1 without one). */
export interface S3GetPart { body: AsyncIterable<Uint8Array>; length: number }

/** Where a bucket's objects are: the base URL the client's endpoint rules give, and how to sign for it. */
export interface S3GetTarget { url: URL; signingRegion: string; signingName: string }

/** An S3 error response (or a broken exchange), shaped like the SDK's service exceptions. */
export class S3GetError extends AwsCallError {}

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

/**
 * The signer for a target: S3's flavour of SigV4 (the path signed as sent, not
 * encoded twice), with the client's credential provider.
 */
export function s3Signer(t: S3GetTarget, credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>), escapePath = false): SigV4 {
  return new SigV4({ credentials, region: t.signingRegion, service: t.signingName, uriEscapePath: escapePath });
}

/** The part of the S3 client's resolved config this path reads (all of it the SDK's own providers). */
interface ClientConfig extends SdkClientConfig {
  endpointProvider: (params: Record<string, unknown>) => { url: URL; headers?: Record<string, unknown>; properties?: { authSchemes?: { name?: string; signingName?: string; signingRegion?: string }[] } };
  signingEscapePath?: boolean;
  forcePathStyle?: boolean;
  useAccelerateEndpoint?: boolean;
}

export interface LeanGetOptions {
  agents: { http: HttpAgent; https: HttpsAgent };
  /** The custom endpoint the client was made with (S3-compatible servers), as a URL string. */
  endpoint?: string;
}

export class LeanGet {
  private readonly cfg: ClientConfig;
  private readonly calls: LeanCalls;
  private readonly targets = new Map<string, Promise<{ target: S3GetTarget; signer: SigV4 } | null>>();

  constructor(client: S3Client, private readonly opts: LeanGetOptions) {
    this.cfg = client.config as unknown as ClientConfig;
    this.calls = new LeanCalls(this.cfg);
  }

  /** Where the bucket is and its signer, from the client's endpoint rules; null = not plain SigV4, the SDK's. */
  target(bucket: string): Promise<{ target: S3GetTarget; signer: SigV4 } | null> {
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
        return { target, signer: s3Signer(target, this.calls.credentials, this.cfg.signingEscapePath ?? false) };
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
    return this.calls.retrying(() => this.once(t.target, t.signer, key, etag, offset));
  }

  private async once(t: S3GetTarget, signer: SigV4, key: string, etag: string, offset: number): Promise<S3GetPart> {
    const { res, skewed } = await this.calls.exchange(signer, buildGetRequest(t, key, etag, offset), this.opts.agents);
    const status = res.statusCode ?? 0;
    if (status === 200 || status === 206) {
      if (offset > 0 && status === 200) {
        res.destroy();
        throw new S3GetError('RangeIgnored', `asked for bytes ${offset}- the server sent the whole object`, 500);
      }
      const len = res.headers['content-length'];
      return { body: res, length: len === undefined ? -1 : Number(len) };
    }
    const e = await errorOf(res, status);
    if (skewed) e.$metadata.clockSkewCorrected = true;
    throw e;
  }
}

/** S3's error document (<Code>, <Message>) as an error the SDK would have thrown. */
async function errorOf(res: IncomingMessage, status: number): Promise<S3GetError> {
  const text = await readText(res, ERROR_BODY_MAX, true);
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? (status === 404 ? 'NotFound' : status === 412 ? 'PreconditionFailed' : `Http${status}`);
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? (res.statusMessage || 'no message');
  const retryAfter = retryAfterOf(res);
  return new S3GetError(code, `${code} (HTTP ${status}): ${message}`, status, retryAfter ? { retryAfter } : {});
}

const attached = new WeakMap<S3Client, LeanGet>();
/** Gives the client a lean GET for whole objects (makeS3Client does, unless told not to). */
export function attachLeanGet(client: S3Client, opts: LeanGetOptions): void { attached.set(client, new LeanGet(client, opts)); }
/** The client's lean GET, if it has one. */
export function leanGetOf(client: S3Client): LeanGet | undefined { return attached.get(client); }
