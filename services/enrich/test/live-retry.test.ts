/**
 * A NetBox pull that fails while flowlog runs is tried again with backoff, by
 * itself: the version in use stays meanwhile, and the next try that NetBox
 * answers brings the IPAM back to a good reload (no interval, no SIGHUP).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/wait.js';
import { LiveEnricher, type ReloadOutcome } from '../live.js';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';
let server: Server;
let base = '';
let failing = false;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    if (failing) { res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance'); return; }
    const prefix = { id: 1, prefix: '10.0.0.0/8', status: { value: 'active', label: 'Active' }, tenant: null, role: null, vrf: null, tags: [], custom_fields: {} };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, next: null, previous: null, results: [prefix] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => { await new Promise<void>((r) => server.close(() => r())); });

describe('NetBox reload supervision', () => {
  it('retries a failed NetBox pull with backoff and keeps the version in use meanwhile', { timeout: 30_000 }, async () => {
    const outcomes: ReloadOutcome[] = [];
    const live = await LiveEnricher.start({ files: [], rules: [], netbox: { url: `${base}/api/ipam/prefixes/`, token: TOKEN } }, { onReload: (o) => outcomes.push(o) });
    try {
      const version = live.version;
      failing = true;
      expect((await live.reloadNow()).result).toBe('rejected');
      expect(live.version).toBe(version); // the old version stays
      failing = false;
      const before = requests;
      // no reloadNow, no interval: only the backoff retry can pull again
      await waitFor(() => outcomes.length >= 3, 'a retried NetBox pull', 15_000);
      expect(requests).toBeGreaterThan(before);
      expect(outcomes.map((o) => o.result)).toEqual(['loaded', 'rejected', 'unchanged']);
      expect(live.version).toBe(version);
    } finally { live.stop(); }
  });
});
