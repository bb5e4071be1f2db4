/**
 * SQS's receive, delete and visibility calls, the ones a source makes
 * thousands of times (a round of 1000 messages is 100 receives and 100
 * deletes), sent as the SDK sends them (the AWS JSON 1.0 protocol, signed
 * SigV4) but without its middleware stack (../aws-lean.ts): ~0.7 ms of CPU a
 * call against 1.3-2 ms through the SDK, on the thread that also parses.
 * Requests and answers have the SDK's own shapes, and errors its names and
 * statuses, so the source reads both paths the same way. A queue whose
 * endpoint rules ask for more than plain SigV4 goes through the SDK.
 */
import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient,
  type ChangeMessageVisibilityBatchCommandInput, type ChangeMessageVisibilityBatchCommandOutput,
  type DeleteMessageBatchCommandInput, type DeleteMessageBatchCommandOutput, type ReceiveMessageCommandInput, type ReceiveMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AwsCallError, LeanCalls, readText, retryAfterOf, type SdkClientConfig } from '../aws-lean.js';
import { SigV4 } from '../sigv4.js';

type Receive = Pick<ReceiveMessageCommandOutput, 'Messages'>;
type DeleteBatch = Pick<DeleteMessageBatchCommandOutput, 'Successful' | 'Failed'>;
type VisibilityBatch = Pick<ChangeMessageVisibilityBatchCommandOutput, 'Successful' | 'Failed'>;

/** The part of the SQS client's resolved config this path reads, beside what LeanCalls does. */
interface ClientConfig extends SdkClientConfig {
  endpointProvider: (params: Record<string, unknown>) => { url: URL; headers?: Record<string, unknown>; properties?: { authSchemes?: { name?: string; signingName?: string; signingRegion?: string }[] } };
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  isCustomEndpoint?: boolean;
  /** An endpoint from the environment or the shared config file (AWS_ENDPOINT_URL_SQS, endpoint_url). */
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  ignoreConfiguredEndpointUrls?: boolean;
  useQueueUrlAsEndpoint?: boolean;
  /** false: received bodies are not checked against their MD5OfBody. */
  md5?: unknown;
}

interface Target { url: URL; signer: SigV4 }

/** Sockets per agent: a source has a few receives, deletes and extensions in flight at once. */
const MAX_SOCKETS = 32;

export class SqsCalls {
  private readonly cfg: ClientConfig;
  private readonly calls: LeanCalls;
  private readonly agents = { http: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }), https: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }) };
  private readonly targets = new Map<string, Promise<Target | null>>();

  /** `lean: false`: every call through the SDK. */
  constructor(private readonly client: SQSClient, private readonly opts: { lean?: boolean } = {}) {
    this.cfg = client.config as unknown as ClientConfig;
    this.calls = new LeanCalls(this.cfg);
  }

  receive(input: ReceiveMessageCommandInput, signal?: AbortSignal): Promise<Receive> {
    return this.call<Receive>('ReceiveMessage', input, () => this.client.send(new ReceiveMessageCommand(input), signal ? { abortSignal: signal } : {}), signal,
      (r) => { if (this.cfg.md5 !== false) checkBodies(r); }); // the SDK's own path checks them itself
  }

  deleteBatch(input: DeleteMessageBatchCommandInput): Promise<DeleteBatch> {
    return this.call<DeleteBatch>('DeleteMessageBatch', input, () => this.client.send(new DeleteMessageBatchCommand(input)));
  }

  changeVisibilityBatch(input: ChangeMessageVisibilityBatchCommandInput): Promise<VisibilityBatch> {
    return this.call<VisibilityBatch>('ChangeMessageVisibilityBatch', input, () => this.client.send(new ChangeMessageVisibilityBatchCommand(input)));
  }

  /** Closes the idle keep-alive connections. */
  destroy(): void { this.agents.http.destroy(); this.agents.https.destroy(); }

  private async call<T>(action: string, input: { QueueUrl: string | undefined; WaitTimeSeconds?: number }, sdk: () => Promise<T>, signal?: AbortSignal, check?: (r: T) => void): Promise<T> {
    const t = this.opts.lean === false || !input.QueueUrl ? null : await this.target(input.QueueUrl);
    if (!t) return sdk();
    const body = JSON.stringify(input);
    const path = t.url.pathname.endsWith('/') ? t.url.pathname : `${t.url.pathname}/`; // as the SDK's JSON protocol sends it
    return this.calls.retrying(async () => {
      const { res, skewed } = await this.calls.exchange(t.signer, {
        method: 'POST', protocol: t.url.protocol, hostname: t.url.hostname, ...(t.url.port ? { port: Number(t.url.port) } : {}), path, query: {}, body,
        headers: {
          host: t.url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`,
          'x-amzn-query-mode': 'true', // SQS is "query compatible": its errors then carry the query protocol's code too
          'content-length': String(Buffer.byteLength(body)),
        },
      }, this.agents, { body, ...(signal ? { signal } : {}) });
      if (res.statusCode !== 200) {
        const e = await errorOf(res);
        if (skewed) e.$metadata.clockSkewCorrected = true;
        throw e;
      }
      const out = JSON.parse(await readText(res)) as T;
      check?.(out);
      return out;
    }, { ...(signal ? { signal } : {}), ...(input.WaitTimeSeconds ? { scope: ':longpoll' } : {}) });
  }

  /**
   * Where a queue's calls go, as the SDK decides: an endpoint given to the
   * client, through the endpoint rules; otherwise the queue URL's own host
   * (the SDK's useQueueUrlAsEndpoint, on by default); otherwise an endpoint
   * from the environment or config file, or the rules for the client's region.
   */
  private target(queueUrl: string): Promise<Target | null> {
    const origin = new URL(queueUrl).origin;
    let t = this.targets.get(origin);
    if (!t) {
      t = (async () => {
        const { cfg } = this;
        const region = await cfg.region();
        const given = cfg.isCustomEndpoint && cfg.endpoint ? await cfg.endpoint() : undefined;
        const custom = given ? `${given.protocol}//${given.hostname}${given.port ? `:${given.port}` : ''}${given.path}`
          : !cfg.ignoreConfiguredEndpointUrls && cfg.serviceConfiguredEndpoint ? await cfg.serviceConfiguredEndpoint() : undefined;
        const ep = cfg.endpointProvider({
          Region: region, UseFIPS: await cfg.useFipsEndpoint(), UseDualStack: await cfg.useDualstackEndpoint(), ...(custom ? { Endpoint: custom } : {}),
        });
        const auth = ep.properties?.authSchemes?.[0];
        if ((auth && auth.name !== 'sigv4') || Object.keys(ep.headers ?? {}).length > 0) return null;
        const url = !given && cfg.useQueueUrlAsEndpoint !== false ? new URL(`${origin}/`) : new URL(ep.url.href);
        const signer = new SigV4({ credentials: this.calls.credentials, region: auth?.signingRegion ?? region, service: auth?.signingName ?? 'sqs', applyChecksum: false });
        return { url, signer };
      })();
      t.catch(() => this.targets.delete(origin));
      this.targets.set(origin, t);
    }
    return t;
  }
}

/** Each received body against its MD5OfBody, as the SDK checks it: a body damaged on the way fails the receive (its messages come back). */
function checkBodies(r: Receive): void {
  for (const m of r.Messages ?? []) {
    if (createHash('md5').update(m.Body ?? '', 'utf8').digest('hex') !== m.MD5OfBody) {
      throw new AwsCallError('InvalidChecksum', `SQS message ${m.MessageId ?? '?'}: its body does not match its MD5OfBody`);
    }
  }
}

/** An SQS error answer ({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": ...}) as the SDK would throw it. */
async function errorOf(res: IncomingMessage): Promise<AwsCallError> {
  const status = res.statusCode ?? 0;
  let doc: { __type?: string; message?: string; Message?: string } = {};
  try { doc = JSON.parse(await readText(res, 16 << 10, true)) as typeof doc; } catch { /* not JSON: the status says enough */ }
  const name = doc.__type?.split('#').pop()?.split(':')[0] || `Http${status}`;
  const query = res.headers['x-amzn-query-error'];
  const code = typeof query === 'string' ? query.split(';')[0] : undefined;
  const retryAfter = retryAfterOf(res);
  const e = new AwsCallError(name, `${name} (HTTP ${status}): ${doc.message ?? doc.Message ?? (res.statusMessage || 'no message')}`, status, retryAfter ? { retryAfter } : {});
  return code ? Object.assign(e, { Code: code }) : e;
}
