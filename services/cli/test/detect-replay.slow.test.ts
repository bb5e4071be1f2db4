/**
 * "I just backfilled a week": `flowlog ingest` of past logs, then
 * `flowlog detect --from --to` replays the schedule over them, progress on
 * stderr and the findings of the window at the end; the same command again
 * reports the same findings, none new.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));

describe('flowlog detect --from --to', () => {
  it('replays a backfilled window once: the second replay adds nothing', { timeout: 240_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-replay-cli-'));
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir,
      env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'store'), CLICKHOUSE_URL: '', FLOWLOG_CONFIG: '' }, timeout: 120_000 });
    try {
      // a scanner at 10:07 on a past day: 60 ports refused
      const t = Date.UTC(2026, 10, 20, 10, 7) / 1000;
      const lines = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
        ...Array.from({ length: 60 }, (_, k) => `2 123456789012 eni-0a1b2c3d4e5f67890 45.155.1.2 10.1.0.${1 + (k % 30)} 50000 ${1 + k} 6 1 40 ${t} ${t + 10} REJECT OK`)];
      writeFileSync(join(dir, 'scan.log'), `${lines.join('\n')}\n`);
      const ing = run(['ingest', join(dir, 'scan.log'), '--quiet']);
      expect(ing.status, ing.stderr).toBe(0);

      const first = run(['detect', '--from', '2026-11-20T09:00:00Z', '--to', '2026-11-20T12:00:00Z']);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/detect done 15 passes/); // 12 scan/novelty/segmentation passes, 3 egress ones
      expect(first.stdout).toContain('replayed the detector schedule from 2026-11-20T09:00:00.000Z to 2026-11-20T12:00:00.000Z: 15 passes');
      expect(first.stdout).toContain('1 finding detected in the window: 1 new, 0 already recorded');
      expect(first.stdout).toMatch(/\[low\] 2026-11-20 10:15 external scan: 45\.155\.1\.2 probed 60 ports/);

      const again = run(['detect', '--from', '2026-11-20T09:00:00Z', '--to', '2026-11-20T12:00:00Z', '--format', 'json']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).toBe('');
      expect(JSON.parse(again.stdout)).toMatchObject({ command: 'detect', runs: 15, findings: 1, new: 0, by_detector: { scan: 1 },
        top: [{ detector: 'scan', entity: 'src=45.155.1.2', detected_at: '2026-11-20 10:15:00.000' }] });

      const bad = run(['detect', '--from', '2026-11-20T12:00:00Z', '--to', '2026-11-20T09:00:00Z']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/error USAGE: --from 2026-11-20T12:00:00.000Z is not before --to 2026-11-20T09:00:00.000Z\n\s+hint: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
