/**
 * Enrichment as a user drives it: `flowlog generate --ipam`, `flowlog ipam
 * check|lookup` (exit codes and what they print), and `flowlog run` with an
 * enrich: section whose relative paths are read from the config's folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-ipam-cli-'));
  const g = run(['generate', '--out', join(dir, 'flows'), '--flows', '5000', '--seed', '42', '--ipam', join(dir, 'ipam')]);
  expect(g.status, g.stderr).toBe(0);
  expect(g.stdout).toContain(`ingest with --enrich ${join(dir, 'ipam')}/enrich.yaml`);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('flowlog ipam', () => {
  it('check lists problems and exits 1; a clean IPAM exits 0; an unloadable one exits 2', () => {
    const r = run(['ipam', 'check', '--enrich', join(dir, 'ipam', 'enrich.yaml')]);
    expect(r.status).toBe(1);
    for (const src of ['builtin', 'static', 'azure', 'aws', 'provider']) expect(r.stdout).toMatch(new RegExp(`[(,] ?${src} \\d+`));
    expect(r.stdout).toContain('shadowed (1):');
    const clean = join(dir, 'clean.yaml');
    writeFileSync(clean, 'enrich:\n  files: [clean-ipam.yaml]\n');
    writeFileSync(join(dir, 'clean-ipam.yaml'), 'prefixes:\n  - { cidr: 10.1.0.0/16, owner: a }\n');
    expect(run(['ipam', 'check', '--enrich', clean]).status).toBe(0);
    writeFileSync(join(dir, 'clean-ipam.yaml'), 'prefixes: [ {');
    const broken = run(['ipam', 'check', '--enrich', clean]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/IPAM_INVALID: .*clean-ipam\.yaml: not valid YAML/);
  });

  it('lookup says what an address gets and where it came from', () => {
    const r = run(['ipam', 'lookup', '52.216.9.9', '8.8.8.8', '--enrich', join(dir, 'ipam', 'enrich.yaml'), '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const [s3, dns] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(s3).toMatchObject({ prefix: '52.216.0.0/15', service: 'S3', class: 'public', internal: false });
    expect(s3.origins[0]).toMatch(/ip-ranges\.json#52\.216\.0\.0\/15$/);
    expect(dns).toMatchObject({ prefix: '0.0.0.0/0', class: 'public', internal: false });
    expect(run(['ipam', 'lookup', 'not-an-ip']).stderr).toContain('USAGE');
  });

  it('run enriches with the config\'s enrich: section and writes the IPAM snapshot', () => {
    const cfg = join(dir, 'flowlog.yaml');
    writeFileSync(cfg, [
      'store: { kind: embedded, data_dir: store }',
      'sources: [ { kind: local, name: demo, path: flows } ]',
      'enrich:',
      '  files: [ipam/ipam.yaml, ipam/aws/vpcs.json, ipam/aws/subnets.json, ipam/aws/network-interfaces.json, ipam/ip-ranges.json]',
      '  ownership: [ { account: "000000000000", owner: nobody } ]',
      '',
    ].join('\n'));
    const r = spawnSync(process.execPath, [BIN, 'run', '--config', 'flowlog.yaml'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('"event":"ipam.loaded"');
    const q = run(['sql', "SELECT countIf(src_owner IS NOT NULL) > 0 AS owned, countIf(dst_service = 'S3') > 0 AS s3, (SELECT count(DISTINCT version) FROM ipam_prefixes) AS versions FROM flows", '--format', 'json'],
      { FLOWLOG_DATA_DIR: join(dir, 'store') });
    expect(q.status, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual({ owned: 1, s3: 1, versions: 1 });
  });
});
