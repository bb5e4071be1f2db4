/**
 * The ClickHouse server store over https (ClickHouse's 8443) with a private
 * CA: verified with the CA file from the configuration, refused without it,
 * and the refusal is not retried (a certificate never becomes valid by waiting).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChdbHttpServer, type ChdbHttpServer } from '../../../test/clickhouse-http/server.js';
import { makeTestCerts, type TestCerts } from '../../../test/tls.js';
import { loadConfig } from '../../config/load-config.js';
import { openConfiguredStore } from '../open.js';
import { ClickHouseServerStore } from '../clickhouse-server-store.js';

let server: ChdbHttpServer;
let certs: TestCerts;
let dir = '';

beforeAll(async () => {
  certs = makeTestCerts();
  dir = mkdtempSync(join(tmpdir(), 'flowlog-chtls-'));
  server = await startChdbHttpServer({ dataDir: join(dir, 'ch'), tls: { cert: certs.cert, key: certs.key } });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

describe('ClickHouse server store over TLS', () => {
  it('migrates and queries through https with store.tls.ca_file', async () => {
    expect(server.url).toMatch(/^https:/);
    const file = join(dir, 'flowlog.yaml');
    writeFileSync(file, `store:\n  kind: clickhouse\n  url: ${server.url}\n  tls:\n    ca_file: ${certs.caFile}\nsources:\n  - { kind: local, name: l, path: /nonexistent }\n`);
    const store = openConfiguredStore(loadConfig(file));
    try {
      await store.migrate();
      expect(await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows')).toEqual([{ n: 0 }]);
    } finally { await store.close(); }
  });

  it('refuses a server it cannot verify, at once', async () => {
    let retries = 0;
    const store = new ClickHouseServerStore({ url: server.url, retry: { attempts: 5, baseMs: 10, onRetry: () => { retries++; } } });
    try {
      await expect(store.queryRows('SELECT 1')).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
      expect(retries).toBe(0);
    } finally { await store.close(); }
  });

  it('names the config key of an unreadable CA file', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `store:\n  kind: clickhouse\n  url: ${server.url}\n  tls: { ca_file: /nonexistent/ca.pem }\nsources:\n  - { kind: local, name: l, path: /x }\n`);
    expect(() => openConfiguredStore(loadConfig(file))).toThrow(/store\.tls\.ca_file: \/nonexistent\/ca\.pem cannot be read/);
  });
});
