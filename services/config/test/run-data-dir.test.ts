/**
 * `flowlog run` opens the store every command opens: FLOWLOG_DATA_DIR (set by
 * the container image) beats the file's store.data_dir, as it does for `sql`.
 * Before, run used the file's folder and wrote outside the image's volume.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../cli/commands/run.js';

afterEach(() => { vi.unstubAllEnvs(); });

describe('flowlog run and FLOWLOG_DATA_DIR', () => {
  it('stores under FLOWLOG_DATA_DIR, not the file\'s store.data_dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-run-dir-'));
    mkdirSync(join(dir, 'logs'));
    const cfg = join(dir, 'flowlog.yaml');
    writeFileSync(cfg, `store: { kind: embedded, data_dir: ${join(dir, 'from-file')} }\nsources: [{ kind: local, name: empty, path: ${join(dir, 'logs')} }]\n`);
    vi.stubEnv('FLOWLOG_DATA_DIR', join(dir, 'from-env'));
    expect(await runCommand(['--config', cfg])).toBe(0);
    expect(existsSync(join(dir, 'from-env', 'clickhouse'))).toBe(true);
    expect(existsSync(join(dir, 'from-file'))).toBe(false);
  });

  it('refuses a configuration without sources, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-run-none-'));
    const cfg = join(dir, 'flowlog.yaml');
    writeFileSync(cfg, 'log: { level: warn }\n');
    await expect(runCommand(['--config', cfg, '--check'])).rejects.toThrow(/sources: missing; flowlog run needs at least one source/);
  });
});
