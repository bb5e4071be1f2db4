/** `flowlog migrate --cluster NAME [--print]` as a user runs it: the DDL printed without a store, and the refusals. */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterMigrationScript } from '../../store/migrations.js';
import { startChdbHttpServer } from '../../../test/clickhouse-http/server.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'flowlog-migrate-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('CLICKHOUSE_') || k.startsWith('FLOWLOG_')) delete base[k];
  return { ...base, ...env };
}
const run = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cleanEnv(env) });
/** For a server in this process: spawnSync would block the event loop it answers on. */
const runAsync = (args: string[], env: Record<string, string>) => promisify(execFile)(process.execPath, [BIN, ...args], { env: cleanEnv(env) })
  .then((r) => ({ status: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ status: e.code, stdout: e.stdout, stderr: e.stderr }));

describe('flowlog migrate --cluster', () => {
  it('--print writes the ON CLUSTER DDL for the configured database, without connecting (an unreachable server is fine)', { timeout: 60_000 }, () => {
    const r = run(['migrate', '--cluster', 'flowlog', '--print'], { CLICKHOUSE_URL: 'http://127.0.0.1:9/', CLICKHOUSE_DATABASE: 'netflows' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(clusterMigrationScript({ cluster: 'flowlog', database: 'netflows' }));
    expect(r.stdout).toContain("ENGINE = Distributed('flowlog', 'netflows', 'flows_local', cityHash64(CAST(source AS String)))");
    expect(r.stdout).not.toContain('CREATE ROLE');
    // with --roles, the roles follow, on every node
    const roles = run(['migrate', '--cluster', 'flowlog', '--print', '--roles'], { CLICKHOUSE_URL: 'http://127.0.0.1:9/' });
    expect(roles.status).toBe(0);
    expect(roles.stdout.startsWith(clusterMigrationScript({ cluster: 'flowlog', database: 'default' }))).toBe(true);
    expect(roles.stdout).toContain("CREATE ROLE IF NOT EXISTS flowlog_writer ON CLUSTER 'flowlog';");
    expect(roles.stdout).toContain("GRANT ON CLUSTER 'flowlog' SELECT, INSERT ON flows_local TO flowlog_writer;");
  });

  it('--print on an embedded configuration prints for database default and leaves the data dir alone', { timeout: 60_000 }, () => {
    const data = join(dir, 'data');
    const r = run(['migrate', '--cluster', 'flowlog', '--print'], { FLOWLOG_DATA_DIR: data });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(clusterMigrationScript({ cluster: 'flowlog', database: 'default' }));
    expect(existsSync(data) ? readdirSync(data) : []).toEqual([]);
  });

  it('--print without --cluster, a cluster name that is not a plain name, and --cluster on the embedded store are usage errors', { timeout: 60_000 }, () => {
    const noCluster = run(['migrate', '--print'], { FLOWLOG_DATA_DIR: join(dir, 'a') });
    expect(noCluster.status).toBe(2);
    expect(noCluster.stderr).toContain('--print shows the cluster DDL');
    const badName = run(['migrate', '--cluster', "x' OR 1", '--print'], { FLOWLOG_DATA_DIR: join(dir, 'b') });
    expect(badName.status).toBe(2);
    expect(badName.stderr).toContain('is not a plain name');
    const embedded = run(['migrate', '--cluster', 'flowlog'], { FLOWLOG_DATA_DIR: join(dir, 'c') });
    expect(embedded.status).toBe(2);
    expect(embedded.stderr).toContain('the embedded engine is one node');
  });

  it('against a server, sends the ON CLUSTER DDL first and creates nothing single-node when the server has no such cluster', { timeout: 60_000 }, async () => {
    // the test endpoint is one embedded engine: no remote_servers, so the first ON CLUSTER statement fails there, as on a server without the cluster
    const server = await startChdbHttpServer({ dataDir: join(dir, 'server'), user: 'flowlog', password: 'test-secret' });
    try {
      const r = await runAsync(['migrate', '--cluster', 'flowlog'], { CLICKHOUSE_URL: server.url, CLICKHOUSE_USER: 'flowlog', CLICKHOUSE_PASSWORD: 'test-secret' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/cluster 'flowlog' not found/i);
      expect(r.stderr).toContain("CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER 'flowlog'");
      // no ledger (nor anything else) was left behind: a read command finds no migration applied
      const read = await runAsync(['sql', 'SELECT 1'], { CLICKHOUSE_URL: server.url, CLICKHOUSE_USER: 'flowlog', CLICKHOUSE_PASSWORD: 'test-secret' });
      expect(read.stderr).toMatch(/SCHEMA_BEHIND[\s\S]*no migration applied/);
    } finally { await server.close(); }
  });
});
