/** A local webhook receiver for the tests: answers each POST with the next scripted status. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { path: string; contentType: string | undefined; body: unknown }

export async function webhookServer(statuses: number[]): Promise<{ url: (path: string) => string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { raw += c; });
    req.on('end', () => {
      let body: unknown = raw;
      try { body = JSON.parse(raw); } catch { /* kept as text */ }
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      const status = statuses[Math.min(received.length, statuses.length) - 1] ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : status === 400 ? 'invalid_blocks' : 'try later');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A webhook receiver that never answers: counts the posts it holds and those whose client gave up (closed the connection). */
export async function hangingWebhookServer(): Promise<{ url: (path: string) => string; posts: () => number; abandoned: () => number; close: () => Promise<void> }> {
  let posts = 0, abandoned = 0;
  const server: Server = createServer((req, res) => {
    posts++;
    req.resume();
    res.on('close', () => { abandoned++; });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    posts: () => posts,
    abandoned: () => abandoned,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
