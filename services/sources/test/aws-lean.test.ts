/**
 * The shared base of the lean AWS calls, on a local HTTP server: a body whose
 * characters are split between chunks, a clock corrected from the answer's
 * Date (and a refused signature then tried once more), and an abort that ends
 * a retry's backoff at once.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Agent as HttpAgent, createServer, type Server } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LeanCalls, readText, retryClass, send, type SdkClientConfig } from '../aws-lean.js';
import { SigV4 } from '../sigv4.js';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
let server: Server | null = null;
afterEach(() => { server?.close(); server = null; });

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ hostname: string; port: number }> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { hostname: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

const request = (at: { hostname: string; port: number }) => ({ method: 'GET', protocol: 'http:', hostname: at.hostname, port: at.port, path: '/', query: {}, headers: { host: `${at.hostname}:${at.port}` } });

/** A client's config as the lean calls read it, with retries as the SDK's (adaptive, 3 attempts). */
function config(): SdkClientConfig {
  return new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 3, retryMode: 'adaptive' }).config as unknown as SdkClientConfig;
}
const signer = () => new SigV4({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, region: 'us-east-1', service: 'sqs' });

describe('readText', () => {
  it('decodes the body whole: a character split between two chunks stays one character', async () => {
    const text = `${'é'.repeat(3)}😀`;
    const bytes = Buffer.from(text, 'utf8');
    const at = await serve((_req, res) => {
      res.writeHead(200);
      // every byte its own chunk, a few ms apart so that each arrives alone: each multi-byte character is split
      let i = 0;
      const next = () => { if (i < bytes.length) res.write(bytes.subarray(i, ++i), () => setTimeout(next, 3)); else res.end(); };
      next();
    });
    expect(await readText(await send(request(at), agents))).toBe(text);
  });

  it('a body cut short: thrown, or what arrived when asked for it (an error answer)', async () => {
    const at = await serve((req, res) => {
      res.writeHead(503, { 'content-length': '1000' });
      res.write('<Error><Code>SlowDown</Code>', () => req.socket.destroy());
    });
    await expect(readText(await send(request(at), agents))).rejects.toThrow();
    expect(await readText(await send(request(at), agents), Infinity, true)).toBe('<Error><Code>SlowDown</Code>');
  });
});

describe('LeanCalls', () => {
  it('takes the service\'s clock from each answer\'s Date; a large correction makes a refused signature worth another try', async () => {
    const ahead = 10 * 60_000; // the service's clock 10 minutes ahead of ours
    const seen: number[] = [];
    const at = await serve((req, res) => {
      const d = String(req.headers['x-amz-date']);
      const signedAt = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15));
      const now = Date.now() + ahead;
      seen.push(Math.round((signedAt - now) / 60_000) || 0);
      const fresh = Math.abs(signedAt - now) < 5 * 60_000; // as AWS allows
      res.writeHead(fresh ? 200 : 403, { date: new Date(now).toUTCString() });
      res.end(fresh ? 'ok' : 'Signature expired');
    });
    const cfg = config();
    const calls = new LeanCalls(cfg);
    const out = await calls.retrying(async () => {
      const { res, skewed } = await calls.exchange(signer(), request(at), agents);
      const body = await readText(res);
      if (res.statusCode === 200) return body;
      const e = Object.assign(new Error(body), { name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403, clockSkewCorrected: skewed } });
      expect(retryClass(e)).toBe('TRANSIENT');
      throw e;
    });
    expect(out).toBe('ok');
    expect(seen).toEqual([-10, 0]); // signed 10 minutes behind, then on the service's clock
    expect(Math.round((cfg.systemClockOffset ?? 0) / 60_000)).toBe(10);
  });

  it('without a correction the same refusal is final', () => {
    expect(retryClass(Object.assign(new Error('x'), { name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } }))).toBe('CLIENT_ERROR');
  });

  it('an abort ends the backoff between tries at once', async () => {
    const at = await serve((_req, res) => { res.writeHead(503); res.end('busy'); });
    const calls = new LeanCalls(config());
    const ac = new AbortController();
    let tries = 0;
    const ended = calls.retrying(async () => {
      tries++;
      const { res } = await calls.exchange(signer(), request(at), agents, { signal: ac.signal });
      await readText(res);
      if (tries === 1) setTimeout(() => ac.abort(), 20); // during the backoff after the first refusal
      // Retry-After: 5 s: the backoff is long, and the abort falls inside it
      throw Object.assign(new Error('busy'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 }, retryAfter: new Date(Date.now() + 5_000) });
    }, { signal: ac.signal }).then(() => null, (e: unknown) => e as Error);
    expect((await ended)?.name).toBe('AbortError');
    expect(tries).toBe(1); // not tried again after the backoff
  });
});
