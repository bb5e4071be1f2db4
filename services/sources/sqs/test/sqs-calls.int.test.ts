/**
 * The lean SQS calls against the real SQS-compatible server (ElasticMQ): the
 * same answers as the SDK's for receive, visibility and delete, the SDK's
 * error names (so sqsError sorts them the same), a long poll cut short by its
 * signal, and a damaged body refused.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
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
  it('signs with the client\'s credentials: wrong ones are refused, and sorted as SOURCE_ACCESS_DENIED', async () => {
    // ElasticMQ does not check signatures, so a front that does stands in for SQS: it answers 403 unless the
    // request is signed by the expected key, as AWS answers a bad signature (JSON protocol, __type and message)
    let seen = '';
    const server: Server = createServer((req, res) => {
      seen = req.headers.authorization ?? '';
      res.writeHead(seen.includes('Credential=GOOD/') ? 200 : 403, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(seen.includes('Credential=GOOD/') ? '{"Messages":[]}' : '{"__type":"com.amazon.coral.service#InvalidClientTokenId","message":"The security token included in the request is invalid."}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = (key: string) => new SQSClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: key, secretAccessKey: 's' }, maxAttempts: 1 });
    const url = `${endpoint}/000000000000/q`;
    try {
      const good = new SqsCalls(client('GOOD'));
      expect((await good.receive({ QueueUrl: url, WaitTimeSeconds: 0 })).Messages).toEqual([]);
      expect(seen).toMatch(/^AWS4-HMAC-SHA256 Credential=GOOD\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
      good.destroy();
      const bad = new SqsCalls(client('BAD'));
      const e = await bad.receive({ QueueUrl: url, WaitTimeSeconds: 0 }).then(() => null, (x: unknown) => x as Error);
      bad.destroy();
      expect(e?.name).toBe('InvalidClientTokenId');
      expect(sqsError(e, url).code).toBe('SOURCE_ACCESS_DENIED');
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
