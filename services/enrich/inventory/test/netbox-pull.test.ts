/**
 * pullNetbox against a small local HTTP server standing in for a NetBox list
 * endpoint: this tests our client (paging, headers, errors), not NetBox.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../../core/errors.js';
import { pullNetbox } from '../netbox-pull.js';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';
let server: Server;
let base = '';
/** A second server on the same host, another port: what it is sent (it must never see the token). */
let other: Server;
let otherBase = '';
const otherSeen: (string | undefined)[] = [];
const seen: { url: string; auth: string | undefined; accept: string | undefined }[] = [];

function prefix(id: number, cidr: string): unknown {
  return { id, prefix: cidr, status: { value: 'active', label: 'Active' }, tenant: null, role: null, vrf: null, tags: [], custom_fields: {} };
}

function route(req: IncomingMessage): { status: number; type: string; body: string } {
  const url = new URL(req.url ?? '/', base);
  const json = (status: number, value: unknown) => ({ status, type: 'application/json', body: JSON.stringify(value) });
  if (req.headers.authorization !== `Token ${TOKEN}` && req.headers.authorization !== 'Bearer nbt_k3y.s3cret') {
    return json(403, { detail: 'Invalid token' });
  }
  const offset = Number(url.searchParams.get('offset') ?? 0);
  switch (url.pathname) {
    case '/api/ipam/prefixes/': {
      // serves 5 prefixes 2 per page, whatever limit was asked (like MAX_PAGE_SIZE capping it)
      const all = [prefix(1, '10.0.0.0/8'), prefix(2, '10.1.0.0/16'), prefix(3, '10.1.2.0/24'), prefix(4, 'fd00:1::/48'), prefix(5, '10.2.0.0/16')];
      const next = offset + 2 < all.length ? `${base}/api/ipam/prefixes/?limit=2&offset=${offset + 2}` : null;
      return json(200, { count: all.length, next, previous: null, results: all.slice(offset, offset + 2) });
    }
    case '/api/ipam/loop/':
      return json(200, { count: 1, next: `${base}/api/ipam/loop/?limit=1000`, previous: null, results: [prefix(1, '10.0.0.0/8')] });
    case '/api/ipam/elsewhere/':
      return json(200, { count: 2, next: 'http://netbox.internal:8080/api/ipam/elsewhere/?offset=1', previous: null, results: [] });
    case '/api/ipam/otherport/':
      // same host, another port: another origin (here, a second local server that records what it is sent)
      return json(200, { count: 2, next: `${otherBase}/api/ipam/prefixes/?offset=1`, previous: null, results: [] });
    case '/api/ipam/otherscheme/':
      return json(200, { count: 2, next: `${base.replace('http:', 'https:')}/api/ipam/prefixes/?offset=1`, previous: null, results: [] });
    case '/login/':
      return { status: 200, type: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><head><title>Home | NetBox</title>' };
    case '/api/ipam/broken/':
      return json(500, { detail: 'Server Error' });
    default:
      return json(404, { detail: 'Not found.' });
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization, accept: req.headers.accept });
    const { status, type, body } = route(req);
    res.writeHead(status, { 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  other = createServer((req, res) => {
    otherSeen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 0, next: null, previous: null, results: [] }));
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => other.close(() => resolve()));
});

describe('pullNetbox', () => {
  it('follows next through every page with the token and JSON accept header', async () => {
    seen.length = 0;
    const r = await pullNetbox(`${base}/api/ipam/prefixes/?status=active`, TOKEN);
    expect(r.records.map((x) => [x.cidr, x.origin])).toEqual([
      ['10.0.0.0/8', `${base}/api/ipam/prefixes/#prefix/1`],
      ['10.1.0.0/16', `${base}/api/ipam/prefixes/#prefix/2`],
      ['10.1.2.0/24', `${base}/api/ipam/prefixes/#prefix/3`],
      ['fd00:1::/48', `${base}/api/ipam/prefixes/#prefix/4`],
      ['10.2.0.0/16', `${base}/api/ipam/prefixes/#prefix/5`],
    ]);
    expect(r.problems).toEqual([]);
    expect(seen.map((s) => s.url)).toEqual([
      '/api/ipam/prefixes/?status=active&limit=1000',
      '/api/ipam/prefixes/?limit=2&offset=2',
      '/api/ipam/prefixes/?limit=2&offset=4',
    ]);
    expect(new Set(seen.map((s) => `${s.auth} | ${s.accept}`))).toEqual(new Set([`Token ${TOKEN} | application/json`]));
  });

  it('sends a NetBox 4.5 v2 token as Bearer', async () => {
    const r = await pullNetbox(`${base}/api/ipam/prefixes/`, 'nbt_k3y.s3cret');
    expect(r.records).toHaveLength(5);
  });

  it('says the token was refused on 401/403, with NetBox\'s detail and without the token', async () => {
    const err = await pullNetbox(`${base}/api/ipam/prefixes/`, 'wrong-token').catch((e: Error) => e);
    expect((err as Error).message).toBe(`${base}/api/ipam/prefixes/: NetBox refused the token (HTTP 403: Invalid token): check that the API token is valid, not expired, and allowed to read this endpoint`);
  });

  it('says which path is not an API endpoint on 404', async () => {
    await expect(pullNetbox(`${base}/api/ipam/prefixs/`, TOKEN)).rejects.toThrow('HTTP 404 for /api/ipam/prefixs/: no such NetBox API endpoint');
  });

  it('recognises an HTML page (the web UI or a login form) as not JSON', async () => {
    await expect(pullNetbox(`${base}/login/`, TOKEN)).rejects.toThrow(/answered text\/html; charset=utf-8, not JSON \(starts "<!DOCTYPE html>.*is this the API URL/);
  });

  it('reports other HTTP errors with status and detail', async () => {
    await expect(pullNetbox(`${base}/api/ipam/broken/`, TOKEN)).rejects.toThrow(/HTTP 500 Internal Server Error: Server Error for /);
  });

  it('stops on a next link that loops or leaves the configured host', async () => {
    await expect(pullNetbox(`${base}/api/ipam/loop/`, TOKEN)).rejects.toThrow(/"next" points back to .*a page already read/);
    await expect(pullNetbox(`${base}/api/ipam/elsewhere/`, TOKEN)).rejects.toThrow(/"next" link http:\/\/netbox\.internal:8080\/.* leaves 127\.0\.0\.1:\d+: not sending the token there/);
  });

  it('refuses a next link to another port or scheme of the same host, naming it, and never sends it the token', async () => {
    const err = await pullNetbox(`${base}/api/ipam/otherport/`, TOKEN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowlogError);
    expect((err as FlowlogError).code).toBe('IPAM_INVALID');
    expect((err as Error).message).toContain(`"next" link ${otherBase}/api/ipam/prefixes/?offset=1 leaves 127.0.0.1:`);
    expect((err as Error).message).toContain(`another origin than ${base}`);
    await expect(pullNetbox(`${base}/api/ipam/otherscheme/`, TOKEN)).rejects.toThrow(`"next" link ${base.replace('http:', 'https:')}/api/ipam/prefixes/?offset=1 leaves`);
    // started on https, an http link to another port is not "the same NetBox behind a TLS proxy"
    const viaHttp: typeof fetch = (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(/^https:/, 'http:'), init);
    await expect(pullNetbox(`${base.replace('http:', 'https:')}/api/ipam/otherport/`, TOKEN, viaHttp)).rejects.toThrow(`"next" link ${otherBase}/api/ipam/prefixes/?offset=1 leaves`);
    expect(otherSeen).toEqual([]);
  });

  it('follows http:// next links over https when started on https (TLS-terminating proxy)', async () => {
    // the local server speaks http only: map the https URLs the client asks for onto it, and record them
    const asked: string[] = [];
    const viaHttp: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      asked.push(url);
      return fetch(url.replace(/^https:/, 'http:'), init);
    };
    const r = await pullNetbox(`${base.replace('http:', 'https:')}/api/ipam/prefixes/`, TOKEN, viaHttp);
    expect(r.records).toHaveLength(5);
    expect(asked.every((u) => u.startsWith('https://127.0.0.1:'))).toBe(true);
    expect(asked).toHaveLength(3);
  });

  it('names the host when it cannot be reached', async () => {
    // a port that was just free: nothing listens there
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(pullNetbox(`http://127.0.0.1:${port}/api/ipam/prefixes/`, TOKEN)).rejects.toThrow(`http://127.0.0.1:${port}/api/ipam/prefixes/: cannot reach NetBox at 127.0.0.1:${port}: ECONNREFUSED`);
  });
});
