/**
 * The settings every insert of the server store carries, as they reach the
 * server (a recording HTTP endpoint): the dedup token, and the synchronous
 * Distributed insert a cluster store (flowlog migrate --cluster) needs for the
 * token to reach each shard before the ledger says stored; and on every
 * request, GLOBAL for an IN over a Distributed subquery.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseServerStore } from '../clickhouse-server-store.js';

const seen: URLSearchParams[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(new URL(req.url ?? '/', 'http://x').searchParams);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(''));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('server store insert settings', () => {
  it('every kind of insert asks for a synchronous Distributed insert, with its dedup token', async () => {
    const store = new ClickHouseServerStore({ url, retry: { attempts: 1 } });
    try {
      await store.insertJsonLines('anomalies', ['detector'], Buffer.from('{"detector":"x"}'), 't1');
      await store.insertRejects([{ source: 's', position: '1', reason: 'FIELD_COUNT', detail: 'd', raw: 'r' }], 't2');
      await store.recordLedger([{ sourceKind: 'local', object: 'o', identity: 'i', batchId: 't3', firstPosition: 0, lastPosition: 1, rows: 1, rejected: 0, complete: true }]);
    } finally { await store.close(); }
    const inserts = seen.filter((p) => p.has('insert_deduplication_token'));
    expect(inserts.map((p) => p.get('insert_deduplication_token'))).toEqual(['anomalies:t1', 'flows_rejected:t2', 'ingest_ledger:t3']);
    for (const p of inserts) expect(p.get('insert_distributed_sync')).toBe('1');
  });

  it('every query turns an IN over a Distributed subquery into a GLOBAL one (a cluster refuses it otherwise)', async () => {
    const store = new ClickHouseServerStore({ url, retry: { attempts: 1 } });
    const from = seen.length;
    try {
      await store.exec('SELECT 1');
      await store.queryText('SELECT 1', 'csv');
    } finally { await store.close(); }
    const queries = seen.slice(from);
    expect(queries.length).toBeGreaterThanOrEqual(2);
    for (const p of queries) expect(p.get('distributed_product_mode')).toBe('global');
  });
});
