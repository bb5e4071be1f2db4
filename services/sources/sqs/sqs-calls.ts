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
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AwsCallError, LeanCalls, readText, retryAfterOf, send, type SdkClientConfig } from '../aws-lean.js';

type Receive = Pick<ReceiveMessageCommandOutput, 'Messages'>;
type DeleteBatch = Pick<DeleteMessageBatchCommandOutput, 'Successful' | 'Failed'>;
type VisibilityBatch = Pick<ChangeMessageVisibilityBatchCommandOutput, 'Successful' | 'Failed'>;

/** The part of the SQS client's resolved config this path reads, beside what LeanCalls does. */
interface ClientConfig extends SdkClientConfig {
  endpointProvider: (params: Record<string, unknown>) => { url: URL; headers?: Record<string, unknown>; properties?: { authSchemes?: { name?: string; signingName?: string; signingRegion?: string }[] } };
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  isCustomEndpoint?: boolean;
  useQueueUrlAsEndpoint?: boolean;
}

interface Target { url: URL; signer: SignatureV4 }

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
    return this.call<Receive>('ReceiveMessage', input, () => this.client.send(new ReceiveMessageCommand(input), signal ? { abortSignal: signal } : {}), signal)
      .then((r) => { checkBodies(r); return r; });
  }

  deleteBatch(input: DeleteMessageBatchCommandInput): Promise<DeleteBatch> {
    return this.call<DeleteBatch>('DeleteMessageBatch', input, () => this.client.send(new DeleteMessageBatchCommand(input)));
  }

  changeVisibilityBatch(input: ChangeMessageVisibilityBatchCommandInput): Promise<VisibilityBatch> {
    return this.call<VisibilityBatch>('ChangeMessageVisibilityBatch', input, () => this.client.send(new ChangeMessageVisibilityBatchCommand(input)));
  }

  /** Closes the idle keep-alive connections. */
  destroy(): void { this.agents.http.destroy(); this.agents.https.destroy(); }

  private async call<T>(action: string, input: { QueueUrl: string | undefined }, sdk: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const t = this.opts.lean === false || !input.QueueUrl ? null : await this.target(input.QueueUrl);
    if (!t) return sdk();
    const body = JSON.stringify(input);
    return this.calls.retrying(async () => {
      const signed = await t.signer.sign({
        method: 'POST', protocol: t.url.protocol, hostname: t.url.hostname, ...(t.url.port ? { port: Number(t.url.port) } : {}),
        path: t.url.pathname, query: {}, body,
        headers: { host: t.url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, 'content-length': String(Buffer.byteLength(body)) },
      }, { signingDate: this.calls.signingDate() });
      const res = await send(signed, this.agents, { body, ...(signal ? { signal } : {}) });
      if (res.statusCode !== 200) throw await errorOf(res);
      return JSON.parse(await readText(res)) as T;
    }, (e) => (e as Error).name === 'AbortError');
  }

  /**
   * Where a queue's calls go, as the SDK decides: a custom endpoint through the
   * endpoint rules; otherwise the queue URL's own host (the SDK's
   * useQueueUrlAsEndpoint, on by default), or the rules for the client's region.
   */
  private target(queueUrl: string): Promise<Target | null> {
    const origin = new URL(queueUrl).origin;
    let t = this.targets.get(origin);
    if (!t) {
      t = (async () => {
        const region = await this.cfg.region();
        const custom = this.cfg.isCustomEndpoint && this.cfg.endpoint ? await this.cfg.endpoint() : undefined;
        const ep = this.cfg.endpointProvider({
          Region: region, UseFIPS: await this.cfg.useFipsEndpoint(), UseDualStack: await this.cfg.useDualstackEndpoint(),
          ...(custom ? { Endpoint: `${custom.protocol}//${custom.hostname}${custom.port ? `:${custom.port}` : ''}${custom.path}` } : {}),
        });
        const auth = ep.properties?.authSchemes?.[0];
        if ((auth && auth.name !== 'sigv4') || Object.keys(ep.headers ?? {}).length > 0) return null;
        const url = !custom && this.cfg.useQueueUrlAsEndpoint !== false ? new URL(`${origin}/`) : new URL(ep.url.href);
        const signer = new SignatureV4({ credentials: this.calls.credentials, region: auth?.signingRegion ?? region, service: auth?.signingName ?? 'sqs', sha256: this.cfg.sha256, applyChecksum: false });
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
    if (m.MD5OfBody === undefined || m.Body === undefined) continue;
    if (createHash('md5').update(m.Body, 'utf8').digest('hex') !== m.MD5OfBody) {
      throw new AwsCallError('InvalidChecksum', `SQS message ${m.MessageId ?? '?'}: its body does not match its MD5OfBody`);
    }
  }
}

/** An SQS error answer ({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": ...}) as the SDK would throw it. */
async function errorOf(res: IncomingMessage): Promise<AwsCallError> {
  const status = res.statusCode ?? 0;
  let doc: { __type?: string; message?: string; Message?: string } = {};
  try { doc = JSON.parse(await readText(res, 16 << 10)) as typeof doc; } catch { /* not JSON: the status says enough */ }
  const name = doc.__type?.split('#').pop()?.split(':')[0] || `Http${status}`;
  const query = res.headers['x-amzn-query-error'];
  const code = typeof query === 'string' ? query.split(';')[0] : undefined;
  const retryAfter = retryAfterOf(res);
  const e = new AwsCallError(name, `${name} (HTTP ${status}): ${doc.message ?? doc.Message ?? (res.statusMessage || 'no message')}`, status, retryAfter ? { retryAfter } : {});
  return code ? Object.assign(e, { Code: code }) : e;
}
