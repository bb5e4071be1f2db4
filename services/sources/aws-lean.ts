/**
 * Requests to AWS (or a compatible server) without the SDK's middleware stack,
 * for the few calls a run makes thousands of times: a small object's GET
 * (s3/s3-get.ts) and SQS's receive, delete and visibility calls
 * (sqs/sqs-calls.ts). Through the SDK each costs 1-2 ms of the main thread's
 * CPU in serialisers, a dozen middlewares and deserialisers; here, a
 * signature and an HTTP exchange (docs/performance.md).
 *
 * Everything that decides where and how a request goes is still the client's:
 * its credential provider (env, profile, SSO, roles, session tokens), region,
 * endpoint rules, clock-skew correction and retry strategy (the same adaptive
 * token bucket the SDK's own requests draw from, so throttling seen by either
 * slows both).
 */
import type { AwsCredentialIdentity, HttpRequest as SignableRequest } from '@smithy/types';
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { RequestSigner } from './sigv4.js';

/** Credentials are asked for again this long before they expire (the SDK's own margin is 5 minutes). */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** A connection that sends nothing this long is given up (then retried, or an S3 body resumed); above SQS's 20 s long poll. */
export const IDLE_TIMEOUT_MS = 60_000;

/** The SDK's retry classes for what a lean call met (smithy's service-error-classification, for the cases these calls meet). */
const THROTTLING = /^(Throttling|ThrottlingException|ThrottledException|RequestThrottledException|TooManyRequestsException|ProvisionedThroughputExceededException|TransactionInProgressException|RequestLimitExceeded|BandwidthLimitExceeded|LimitExceededException|RequestThrottled|SlowDown|PriorRequestNotComplete|EC2ThrottledException)$/;
const TRANSIENT_CODES = /^(TimeoutError|RequestTimeout|RequestTimeoutException|InternalError)$/;
const NETWORK = /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_SOCKET)$/;
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';
export function retryClass(e: unknown): RetryErrorType {
  const meta = (e as { $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean } }).$metadata;
  const status = meta?.httpStatusCode;
  const name = (e as Error).name ?? '';
  if (status === 429 || THROTTLING.test(name)) return 'THROTTLING';
  // the clock was behind or ahead and is corrected now (LeanCalls.exchange): the next try is signed right
  if (meta?.clockSkewCorrected || (name === 'InvalidSignatureException' && /Signature expired/.test((e as Error).message ?? ''))) return 'TRANSIENT';
  if (status === undefined) return NETWORK.test((e as NodeJS.ErrnoException).code ?? '') || TRANSIENT_CODES.test(name) ? 'TRANSIENT' : 'CLIENT_ERROR';
  if (status === 500 || status === 502 || status === 503 || status === 504 || TRANSIENT_CODES.test(name)) return 'TRANSIENT';
  return status >= 500 ? 'SERVER_ERROR' : 'CLIENT_ERROR';
}

/** A service's error response (or a broken exchange), shaped like the SDK's service exceptions: `name` is the error code. */
export class AwsCallError extends Error {
  readonly $metadata: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  readonly retryAfter?: Date;
  constructor(name: string, message: string, status?: number, opts: { cause?: unknown; retryAfter?: Date } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = name;
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
    if (opts.retryAfter) this.retryAfter = opts.retryAfter;
  }
}

/** A Retry-After header as a date, if it is one. */
export function retryAfterOf(res: IncomingMessage): Date | undefined {
  const after = res.headers['retry-after'];
  const at = after === undefined ? undefined : /^\d+$/.test(after) ? new Date(Date.now() + Number(after) * 1000) : new Date(after);
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

interface RetryToken { getRetryCount(): number; getRetryDelay?(): number }
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { errorType: RetryErrorType; retryAfterHint?: Date }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

/** The part of an SDK client's resolved config the lean calls read (all of it the SDK's own providers). */
export interface SdkClientConfig {
  credentials: (o?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;
  region: () => Promise<string>;
  retryStrategy: () => Promise<RetryStrategy>;
  systemClockOffset?: number;
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
}

/** A client's credentials, clock and retries, for calls that skip its middleware. */
export class LeanCalls {
  private creds: AwsCredentialIdentity | null = null;
  private credsPending: Promise<AwsCredentialIdentity> | null = null;
  private retry: Promise<RetryStrategy> | null = null;

  constructor(private readonly cfg: SdkClientConfig) {}

  /** The client's credentials, held until shortly before they expire (then its provider is asked again). */
  readonly credentials = (): Promise<AwsCredentialIdentity> => {
    const c = this.creds;
    if (c && (!c.expiration || c.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS)) return Promise.resolve(c);
    this.credsPending ??= this.cfg.credentials().then((fresh) => { this.creds = fresh; return fresh; }).finally(() => { this.credsPending = null; });
    return this.credsPending;
  };

  /**
   * A request signed (as of the service's clock, the client's skew correction)
   * and sent. The answer's Date corrects that clock, as the SDK's signer does;
   * `skewed`: the correction was large, so a refusal of this request's
   * signature is worth one more try.
   */
  async exchange(signer: RequestSigner, r: SignableRequest, agents: Agents, opts: { body?: string; signal?: AbortSignal } = {}): Promise<{ res: IncomingMessage; skewed: boolean }> {
    const before = this.cfg.systemClockOffset ?? 0;
    const signed = await signer.sign(r, { signingDate: new Date(Date.now() + before) });
    const sentAt = Date.now();
    const res = await send(signed, agents, opts);
    const date = res.headers.date;
    const server = date === undefined ? NaN : Date.parse(date);
    // an Age header: a cache answered, not the service; a 15-minute exchange says nothing about the clock
    if (Number.isNaN(server) || res.headers.age !== undefined || Date.now() - sentAt > 900_000) return { res, skewed: false };
    const offset = server - Date.now();
    this.cfg.systemClockOffset = offset;
    return { res, skewed: Math.abs(offset) >= SKEW_MS && offset !== before };
  }

  /**
   * `once`, retried as the SDK retries (throttling and transient failures, with
   * its backoff and token bucket; `scope` ':longpoll' for a long poll, as the
   * SDK's); refused credentials are asked for again. An abort ends it at once.
   */
  async retrying<T>(once: () => Promise<T>, opts: { signal?: AbortSignal; scope?: string } = {}): Promise<T> {
    const { signal } = opts;
    this.retry ??= this.cfg.retryStrategy();
    const strategy = await this.retry;
    let token = await strategy.acquireInitialRetryToken(opts.scope ?? '');
    for (;;) {
      try {
        const out = await once();
        strategy.recordSuccess(token);
        return out;
      } catch (e) {
        if (signal?.aborted || (e as Error).name === 'AbortError') throw e;
        const name = (e as Error).name;
        if (name === 'ExpiredToken' || name === 'InvalidToken' || name === 'ExpiredTokenException') this.creds = null;
        const retryAfter = (e as AwsCallError).retryAfter;
        try {
          token = await abortable(strategy.refreshRetryTokenForRetry(token, { errorType: retryClass(e), ...(retryAfter ? { retryAfterHint: retryAfter } : {}) }), signal);
        } catch (refused) {
          if (signal?.aborted) throw refused;
          throw e;
        }
        const delay = token.getRetryDelay?.() ?? 0; // the strategy waited already, in this SDK's; an older one leaves it to the caller
        if (delay > 0) await abortable(new Promise((r) => setTimeout(r, delay)), signal);
      }
    }
  }
}

type Agents = { http: HttpAgent; https: HttpsAgent };

/** Past this (4 minutes, the SDK's threshold) a clock correction makes a refused signature worth one more try. */
const SKEW_MS = 240_000;

/** `p`, or an AbortError as soon as `signal` aborts (the SDK races its backoff the same way). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  const aborted = () => Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e as Error); });
  });
}

/** A signed request sent on a keep-alive agent; resolves when the response starts. */
export function send(r: SignableRequest, agents: Agents, opts: { body?: string; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (r.protocol === 'https:' ? httpsRequest : httpRequest)({
      method: r.method, hostname: r.hostname, ...(r.port ? { port: r.port } : {}), path: r.path,
      headers: r.headers as OutgoingHttpHeaders, agent: r.protocol === 'https:' ? agents.https : agents.http,
      ...(opts.signal ? { signal: opts.signal } : {}),
    }, resolve);
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * A response's body as text, up to about `max` bytes. `partial`: a body cut
 * short gives what arrived (an error answer's code may be in it); otherwise
 * the break is thrown, to be retried.
 */
export async function readText(res: IncomingMessage, max = Infinity, partial = false): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of res) {
      if (bytes < max) { chunks.push(chunk as Buffer); bytes += (chunk as Buffer).length; }
    }
  } catch (e) {
    if (!partial) throw e;
  }
  // decoded once, whole: a character split between two chunks would be garbled decoded chunk by chunk
  return Buffer.concat(chunks).toString('utf8');
}
