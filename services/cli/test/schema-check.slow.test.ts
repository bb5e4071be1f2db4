/**
 * Read commands never migrate (a read-only user may not, and a read should
 * not change the store): on a store whose migrations are behind they stop
 * with SCHEMA_BEHIND and say to run `flowlog migrate`, leaving it untouched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ChdbStore } from '../../store/chdb-store.js';
import { loadMigrations } from '../../store/migrations.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const run = (args: string[], dataDir: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FLOWLOG_DATA_DIR: dataDir, CLICKHOUSE_URL: '' } });

describe('read commands check the schema instead of migrating', () => {
  it('flowlog sql, investigate and report on a fresh data dir fail with SCHEMA_BEHIND and the hint; flowlog migrate then lets them run', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-schema-'));
    const data = join(dir, 'store');
    try {
      for (const args of [['sql', 'SELECT count() FROM flows'], ['sql', '--saved', 'top-talkers'], ['investigate', '10.0.0.1'], ['report', '--out', join(dir, 'out')]]) {
        const r = run(args, data);
        expect(r.status, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(/error SCHEMA_BEHIND: the store's schema is behind this flowlog: no migration applied, \d+ pending \(0001_flows/);
        expect(r.stderr).toContain('hint: run `flowlog migrate` first');
        expect(r.stdout).toBe('');
      }
      // nothing was created: no migration ran
      const store = new ChdbStore(data);
      try {
        expect(await store.queryRows("SELECT name FROM system.tables WHERE database = currentDatabase()")).toEqual([]);
      } finally { await store.close(); }

      const m = run(['migrate'], data);
      expect(m.status, m.stderr).toBe(0);
      const ok = run(['sql', '--format', 'json', 'SELECT count() AS n FROM flows'], data);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('"n"');
      expect(loadMigrations().length).toBeGreaterThan(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
