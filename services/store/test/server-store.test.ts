/**
 * The ClickHouse-server store through @clickhouse/client over real HTTP. By
 * default the endpoint is the test-support server backed by the embedded
 * engine (no server binary can be installed here); with CLICKHOUSE_URL (and
 * CLICKHOUSE_USER / CLICKHOUSE_PASSWORD) set, the same tests run against that
 * server, each in a database of its own.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_COLUMNS, clickhouseType } from '../../../schemas/flow.js';
import { startChdbHttpServer, type ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { ingestPath } from '../../pipeline/ingest.js';
import { dyingStore } from '../../../test/dying-store.js';
import { ClickHouseServerStore } from '../clickhouse-server-store.js';

const GOLDEN = fileURLToPath(new URL('../../parse/aws/test/golden/', import.meta.url));
const USER = process.env.CLICKHOUSE_URL ? process.env.CLICKHOUSE_USER : 'flowlog';
const PASSWORD = process.env.CLICKHOUSE_URL ? process.env.CLICKHOUSE_PASSWORD : 'test-secret';
let server: ChdbHttpServer | null = null;
let dir = '';
let url = '';
let database: string | undefined;

beforeAll(async () => {
  if (process.env.CLICKHOUSE_URL) {
    url = process.env.CLICKHOUSE_URL;
    database = `flowlog_test_${process.pid}_${Date.now()}`;
    const admin = createClient({ url, ...(USER ? { username: USER } : {}), ...(PASSWORD ? { password: PASSWORD } : {}) });
    await admin.command({ query: `CREATE DATABASE ${database}` });
    await admin.close();
  } else {
    dir = mkdtempSync(join(tmpdir(), 'flowlog-chhttp-'));
    server = await startChdbHttpServer({ dataDir: dir, user: USER!, password: PASSWORD! });
    url = server.url;
  }
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const store = (extra: Partial<ConstructorParameters<typeof ClickHouseServerStore>[0]> = {}) => new ClickHouseServerStore({
  url, ...(USER ? { username: USER } : {}), ...(PASSWORD !== undefined ? { password: PASSWORD } : {}), ...(database ? { database } : {}),
  retry: { attempts: 3, baseMs: 50 }, ...extra,
});

describe('ClickHouse server store', () => {
  it('migrates, matches the canonical schema, and re-migrates as a no-op', async () => {
    const s = store();
    try {
      expect((await s.migrate()).some((m) => m.applied)).toBe(true);
      expect((await s.migrate()).every((m) => !m.applied)).toBe(true);
      const cols = await s.queryRows<{ name: string; type: string }>(
        'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {t:String} ORDER BY position', { t: 'flows' });
      expect(cols).toEqual(FLOW_COLUMNS.map((c) => ({ name: c.name, type: clickhouseType(c) })));
    } finally { await s.close(); }
  });

  it('ingests through Native inserts with dedup tokens; a re-run stores nothing twice', async () => {
    const s = store();
    try {
      await s.migrate();
      const first = await ingestPath(s, GOLDEN, { capacity: 4 });
      expect(first.rows).toBeGreaterThan(10);
      const [c] = await s.queryRows<{ n: number; m: number }>('SELECT count() AS n, (SELECT sum(flows) FROM flows_1m) AS m FROM flows');
      expect(Number(c!.n)).toBe(first.rows);
      expect(Number(c!.m)).toBe(first.rows);
      const again = await ingestPath(s, GOLDEN, { capacity: 4 });
      expect(again.rows).toBe(0);
      const [r] = await s.queryRows<{ n: number }>('SELECT count() AS n FROM flows_rejected');
      expect(Number(r!.n)).toBe(first.rejected);
      expect(await s.queryText("SELECT log_type, count() AS n FROM flows GROUP BY log_type ORDER BY log_type", 'csv')).toMatch(/^"log_type","n"\n"tgw",2\n"vpc",\d+\n$/);
    } finally { await s.close(); }
  });

  it('reads the ledger of the named objects only, when asked', async () => {
    const s = store();
    try {
      await s.migrate();
      const entry = (object: string, complete: boolean) => ({ sourceKind: 'sqs' as const, object, identity: 'e:1', batchId: object, firstPosition: 0, lastPosition: 5, rows: 5, rejected: 0, complete });
      await s.recordLedger([entry('s3://b/a', true), entry('s3://b/b', false), entry("s3://b/it's", true), entry('s3://b/a\\b', true)]);
      const some = await s.ledgerState('sqs', ['s3://b/b', "s3://b/it's", 's3://b/a\\b', 's3://b/never']);
      expect([...some.entries()].sort()).toEqual([['s3://b/a\\b', { identity: 'e:1', complete: true, storedRows: 5 }], ['s3://b/b', { identity: 'e:1', complete: false, storedRows: 5 }],
        ["s3://b/it's", { identity: 'e:1', complete: true, storedRows: 5 }]]);
    } finally { await s.close(); }
  });

  it('with inserts in flight in parallel, a crash at a ledger write, then a restart, loses and duplicates nothing', async () => {
    const s = store({ maxInflightInserts: 3 });
    const copies: string[] = [];
    const copy = () => { const d = mkdtempSync(join(tmpdir(), 'flowlog-inflight-')); cpSync(GOLDEN, d, { recursive: true }); copies.push(d); return d; };
    const counts = async (d: string) => {
      const [c] = await s.queryRows<{ n: number; d: number; r: number; l: number }>(
        `SELECT count() AS n, (SELECT count() FROM (SELECT DISTINCT * FROM flows WHERE startsWith(source, {d:String}))) AS d,
           (SELECT count() FROM flows_rejected WHERE startsWith(source, {d:String})) AS r,
           (SELECT sum(rows) FROM ingest_ledger WHERE startsWith(object, {d:String})) AS l
         FROM flows WHERE startsWith(source, {d:String})`, { d });
      return { flows: Number(c!.n), distinct: Number(c!.d), rejected: Number(c!.r), ledgerRows: Number(c!.l) };
    };
    const rollup = async () => Number((await s.queryRows<{ m: number }>('SELECT sum(flows) AS m FROM flows_1m'))[0]!.m);
    try {
      await s.migrate();
      const refDir = copy();
      await ingestPath(s, refDir, { capacity: 4 });
      const reference = await counts(refDir);
      expect(reference.flows).toBeGreaterThan(10);
      let aheadOfLedger = 0;
      for (const dieAt of [1, 2, 3]) { // 4 ledger writes in all
        const d = copy();
        const before = await rollup();
        await expect(ingestPath(dyingStore(s, dieAt), d, { capacity: 4 }), `dieAt ${dieAt}`).rejects.toThrow(/simulated crash/);
        const crashed = await counts(d);
        if (crashed.flows > crashed.ledgerRows) aheadOfLedger++;
        await ingestPath(s, d, { capacity: 4 });
        expect(await counts(d), `crash at ledger write ${dieAt}`).toEqual(reference);
        expect(await rollup() - before).toBe(reference.flows);
      }
      // batches after the one whose ledger write died were in flight and stored: the replay dropped them by token
      expect(aheadOfLedger).toBeGreaterThan(0);
    } finally {
      await s.close();
      for (const d of copies) rmSync(d, { recursive: true, force: true });
    }
  });

  it('reports errors the way ClickHouse does: status, exception header, body', async () => {
    const auth = `Basic ${Buffer.from(`${USER ?? 'default'}:${PASSWORD ?? ''}`).toString('base64')}`;
    const q = (sql: string) => fetch(`${url}/?${database ? `database=${database}&` : ''}query=${encodeURIComponent(sql)}`, { method: 'POST', headers: { Authorization: auth } });
    const missing = await q('SELECT * FROM no_such_table');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await missing.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)/);
    const syntax = await q('SELEC 1');
    expect(syntax.status).toBe(400);
    expect(syntax.headers.get('x-clickhouse-exception-code')).toBe('62');
    const ok = await q('SELECT 1 + 1');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('2\n');
    const denied = await fetch(`${url}/?query=SELECT%201`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('nobody:wrong').toString('base64')}` } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-clickhouse-exception-code')).toBe('516');
    const s = store();
    try {
      await expect(s.queryRows('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: 'STORE_QUERY_FAILED' });
    } finally { await s.close(); }
  });

  it('does not retry what can never succeed, and says so at once', async () => {
    if (!server) return expect(process.env.CLICKHOUSE_URL).toBeTruthy(); // query counting needs the test server
    const s = store({ retry: { attempts: 5, baseMs: 10 } });
    try {
      const before = server.queries;
      await expect(s.exec('INSERT INTO flows (nope) VALUES (1)')).rejects.toMatchObject({ code: 'STORE_QUERY_FAILED' });
      expect(server.queries - before).toBe(1);
    } finally { await s.close(); }
  });

  it('waits for a store that is down, then carries on (retry with backoff)', async () => {
    if (!server) return expect(process.env.CLICKHOUSE_URL).toBeTruthy();
    const lateDir = mkdtempSync(join(tmpdir(), 'flowlog-late-'));
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await server.close(); // one engine per process: stop the shared one while the late one runs
    server = null;
    let late: ChdbHttpServer | null = null;
    const s = new ClickHouseServerStore({ url: `http://127.0.0.1:${port}`, username: USER!, password: PASSWORD!, retry: { attempts: 10, baseMs: 200, maxMs: 1000 } });
    try {
      setTimeout(() => { void startChdbHttpServer({ dataDir: lateDir, user: USER!, password: PASSWORD!, port }).then((x) => { late = x; }); }, 1500);
      const t0 = Date.now();
      const applied = await s.migrate();
      expect(applied.length).toBeGreaterThan(0);
      expect(Date.now() - t0).toBeGreaterThan(1000);
    } finally {
      await s.close();
      await (late as ChdbHttpServer | null)?.close();
      rmSync(lateDir, { recursive: true, force: true });
    }
  });
});
