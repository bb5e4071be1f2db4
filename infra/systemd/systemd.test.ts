/**
 * infra/systemd/flowlog.service: what systemd itself says of it (systemd-analyze verify, where the
 * machine has it), the keys a drained stop, restarts and the hardening rest on, and its ExecStart run
 * here as a process (the checkout standing in for /opt/flowlog).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/paths.js';

const run = promisify(execFile);
const UNIT = join(REPO_ROOT, 'infra/systemd/flowlog.service');
const text = readFileSync(UNIT, 'utf8');

/** Section -> key -> values (a key may repeat, e.g. Environment=). */
function parseUnit(t: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of t.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) { section = s[1]!; out[section] ??= {}; continue; }
    const i = line.indexOf('=');
    if (i < 0 || !section) throw new Error(`not a unit line: ${line}`);
    ((out[section]![line.slice(0, i)] ??= [])).push(line.slice(i + 1));
  }
  return out;
}
const unit = parseUnit(text);
const service = unit.Service!;
const one = (key: string) => {
  expect(service[key], key).toHaveLength(1);
  return service[key]![0]!;
};

function hasSystemdAnalyze(): boolean {
  try { execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

describe('infra/systemd/flowlog.service', () => {
  it('passes systemd-analyze verify where systemd is installed, and parses as a unit with the three sections', async () => {
    expect(Object.keys(unit)).toEqual(['Unit', 'Service', 'Install']);
    if (hasSystemdAnalyze()) {
      const { stderr } = await run('systemd-analyze', ['verify', UNIT]);
      // verify exits 0 with warnings too: any line about this unit is a problem
      expect(stderr.split('\n').filter((l) => l.includes('flowlog.service'))).toEqual([]);
    }
    expect(unit.Install!.WantedBy).toEqual(['multi-user.target']);
  });

  it('runs node on flowlog directly as the flowlog user, stops with SIGTERM and time to drain, restarts on failure', () => {
    expect(one('Type')).toBe('simple');
    expect(one('User')).toBe('flowlog');
    expect(one('ExecStart')).toBe('/usr/bin/node /opt/flowlog/bin/flowlog.js run --config /etc/flowlog/flowlog.yaml');
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(Number.parseInt(one('TimeoutStopSec'), 10)).toBeGreaterThanOrEqual(60);
    expect(one('Restart')).toBe('on-failure');
    expect(service.Environment).toContain('FLOWLOG_DATA_DIR=/var/lib/flowlog');
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');   // SIGHUP reloads the IPAM
  });

  it('is hardened: no new privileges, the system read-only but for its state folder, no capabilities', () => {
    expect(one('NoNewPrivileges')).toBe('true');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ReadWritePaths')).toBe('/var/lib/flowlog');
    expect(one('StateDirectory')).toBe('flowlog');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('PrivateTmp')).toBe('true');
    // V8 compiles code at run time: MemoryDenyWriteExecute would kill node
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
  });

  it('has an ExecStart that flowlog accepts (run --check with the checkout as /opt/flowlog)', async () => {
    const [bin, ...args] = one('ExecStart').split(' ');
    expect(bin).toBe('/usr/bin/node');
    const local = args.map((a) => a.replace('/opt/flowlog/', `${REPO_ROOT}/`).replace('/etc/flowlog/flowlog.yaml', join(REPO_ROOT, 'infra/compose/flowlog.yaml')));
    const { stdout } = await run(process.execPath, [...local, '--check'], { cwd: REPO_ROOT, env: { ...process.env, CLICKHOUSE_PASSWORD: 'x', S3_ACCESS_KEY: 'x', S3_SECRET_KEY: 'x' } });
    expect(stdout).toContain('ok (2 sources)');
  });
});
