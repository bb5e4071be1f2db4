/**
 * The lean SQS calls against the real SQS-compatible server (ElasticMQ): the
 * same answers as the SDK's for receive, visibility and delete, the SDK's
 * error names (so sqsError sorts them the same), a long poll cut short by its
 * signal, and a damaged body refused.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsCalls } from '../sqs-calls.js';
import { sqsError } from '../sqs-source.js';
import { createQueue, depth, send, testSqs } from './sqs.js';

const run = `${process.pid}-${Date.now() % 100000}`;
let sqs: SQSClient;
beforeAll(() => { sqs = testSqs(); });
afterAll(() => { sqs?.destroy(); });

const both = [['lean', {}], ['sdk', { lean: false }]] as const;

describe.each(both)('SqsCalls (%s)', (kind, opts) => {
  it('receives with the receive count, extends and deletes; a stale receipt fails alone, in Failed', async () => {
    const url = await createQueue(sqs, `calls-${kind}-${run}`);
    await send(sqs, url, 'one', 'two', 'three');
    const calls = new SqsCalls(testSqs(), opts);
    try {
      const got = [];
      for (let i = 0; i < 5 && got.length < 3; i++) {
        got.push(...((await calls.receive({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30, MessageSystemAttributeNames: ['ApproximateReceiveCount'] })).Messages ?? []));
      }
      expect(got.map((m) => m.Body).sort()).toEqual(['one', 'three', 'two']);
      expect(got.every((m) => m.Attributes?.ApproximateReceiveCount === '1' && m.MessageId && m.ReceiptHandle)).toBe(true);
      const vis = await calls.changeVisibilityBatch({ QueueUrl: url, Entries: got.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 60 })) });
      expect(vis.Failed ?? []).toEqual([]);
      expect(vis.Successful?.length).toBe(3);
      const del = await calls.deleteBatch({ QueueUrl: url, Entries: [
        ...got.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })), { Id: 'stale', ReceiptHandle: 'not-a-receipt-handle' },
      ] });
      expect(del.Successful?.map((s) => s.Id).sort()).toEqual(['0', '1', '2']);
      expect(del.Failed?.map((f) => f.Id)).toEqual(['stale']);
      expect(await depth(sqs, url)).toEqual({ visible: 0, inFlight: 0 });
    } finally { calls.destroy(); }
  });

  it('receives a large body of multi-byte characters exactly, as the SDK does', async () => {
    const url = await createQueue(sqs, `calls-utf8-${kind}-${run}`);
    const body = `${'é'.repeat(40_000)}😀${'ü'.repeat(40_000)}`; // ~160 KB of UTF-8
    await send(sqs, url, body);
    const calls = new SqsCalls(testSqs(), opts);
    try {
      const got = (await calls.receive({ QueueUrl: url, WaitTimeSeconds: 1 })).Messages ?? [];
      expect(got.length).toBe(1);
      expect(got[0]!.Body === body).toBe(true);
    } finally { calls.destroy(); }
  });

  it('a queue that is not there fails as the SDK\'s QueueDoesNotExist, which sqsError sorts as SOURCE_NOT_FOUND', async () => {
    const calls = new SqsCalls(testSqs(), opts);
    const url = `${process.env.SQS_ENDPOINT}/000000000000/no-such-queue-${run}`;
    try {
      const e = await calls.receive({ QueueUrl: url, WaitTimeSeconds: 0 }).then(() => null, (x: unknown) => x as Error & { $metadata: { httpStatusCode?: number } });
      expect(e?.name).toMatch(/QueueDoesNotExist|NonExistentQueue/);
      expect(e?.$metadata.httpStatusCode).toBe(400);
      expect(sqsError(e, url).code).toBe('SOURCE_NOT_FOUND');
    } finally { calls.destroy(); }
  });

  it('a long poll ends at once when its signal aborts, as an AbortError', async () => {
    const url = await createQueue(sqs, `calls-abort-${kind}-${run}`);
    const calls = new SqsCalls(testSqs(), opts);
    try {
      const ac = new AbortController();
      const t0 = performance.now();
      const polling = calls.receive({ QueueUrl: url, WaitTimeSeconds: 10 }, ac.signal).then(() => null, (x: unknown) => x as Error);
      setTimeout(() => ac.abort(), 300);
      expect((await polling)?.name).toBe('AbortError');
      expect(performance.now() - t0).toBeLessThan(5000);
    } finally { calls.destroy(); }
  });
});

describe('lean only', () => {
  it('signs as SigV4 asks: the front recomputes each signature; wrong credentials are refused, and sorted as SOURCE_ACCESS_DENIED', async () => {
    // ElasticMQ does not check signatures, so a front that does stands in for SQS: it signs the request it received
    // (its signed headers, path and body, at its x-amz-date) with the expected key, and answers 403 as AWS does
    // (JSON protocol, __type and message) unless the signatures match
    const signedBy = new SignatureV4({ credentials: { accessKeyId: 'GOOD', secretAccessKey: 's' }, region: 'eu-west-1', service: 'sqs',
      sha256: (new SQSClient({ region: 'eu-west-1' }).config as unknown as { sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'] }).sha256, applyChecksum: false });
    const verdicts: boolean[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const auth = req.headers.authorization ?? '';
          const names = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
          const headers = Object.fromEntries(names.filter((n) => n !== 'x-amz-date').map((n) => [n, String(req.headers[n])]));
          const amzDate = String(req.headers['x-amz-date']);
          const at = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
          const expected = await signedBy.sign({ method: req.method!, protocol: 'http:', hostname: '127.0.0.1', path: req.url!, query: {}, headers, body: Buffer.concat(chunks).toString('utf8') }, { signingDate: at });
          const ok = expected.headers.authorization === auth;
          verdicts.push(ok);
          res.writeHead(ok ? 200 : 403, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(ok ? '{"Messages":[]}' : '{"__type":"com.amazon.coral.service#InvalidClientTokenId","message":"The security token included in the request is invalid."}');
        })();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = (key: string) => new SQSClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: key, secretAccessKey: 's' }, maxAttempts: 1 });
    const url = `${endpoint}/000000000000/q`;
    try {
      const good = new SqsCalls(client('GOOD'));
      expect((await good.receive({ QueueUrl: url, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] })).Messages).toEqual([]);
      expect((await good.deleteBatch({ QueueUrl: url, Entries: [{ Id: '0', ReceiptHandle: 'ü r/+=' }] }))).toBeDefined();
      good.destroy();
      expect(verdicts).toEqual([true, true]);
      const bad = new SqsCalls(client('BAD'));
      const e = await bad.receive({ QueueUrl: url, WaitTimeSeconds: 0 }).then(() => null, (x: unknown) => x as Error);
      bad.destroy();
      expect(verdicts).toEqual([true, true, false]);
      expect(e?.name).toBe('InvalidClientTokenId');
      expect(sqsError(e, url).code).toBe('SOURCE_ACCESS_DENIED');
    } finally { server.close(); }
  });

  it('with an endpoint given to the client, calls go there, not to the queue URL\'s host (lean and SDK alike)', async () => {
    const targets: string[] = [];
    const server: Server = createServer((req, res) => {
      targets.push(`${req.url} ${String(req.headers['x-amz-target'])}`);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"Messages":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const o of [{}, { lean: false }]) {
        const calls = new SqsCalls(new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 }), o);
        await calls.receive({ QueueUrl: 'http://127.0.0.1:1/000000000000/q', WaitTimeSeconds: 0 }); // nothing listens on port 1
        calls.destroy();
      }
      expect(targets).toEqual(['/ AmazonSQS.ReceiveMessage', '/ AmazonSQS.ReceiveMessage']);
    } finally { server.close(); }
  });

  it('without a custom endpoint, calls go to the queue URL\'s host, as the SDK sends them (useQueueUrlAsEndpoint)', async () => {
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(`${String(req.headers['x-amz-target'])} ${/Credential=[^/]+\/\d{8}\/([^/]+)\/sqs\//.exec(req.headers.authorization ?? '')?.[1] ?? '?'}`);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"Messages":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/000000000000/q`;
    try {
      for (const o of [{}, { lean: false }]) {
        const calls = new SqsCalls(new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 }), o);
        await calls.receive({ QueueUrl: url, WaitTimeSeconds: 0 });
        calls.destroy();
      }
      expect(seen).toEqual(['AmazonSQS.ReceiveMessage eu-west-1', 'AmazonSQS.ReceiveMessage eu-west-1']);
    } finally { server.close(); }
  });

  it('refuses a receive whose body does not match its MD5OfBody, as the SDK does', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'hello', MD5OfBody: '0'.repeat(32) }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const calls = new SqsCalls(new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
    try {
      await expect(calls.receive({ QueueUrl: `${endpoint}/0/q` })).rejects.toThrow(/m1: its body does not match its MD5OfBody/);
    } finally { calls.destroy(); server.close(); }
  });
});
