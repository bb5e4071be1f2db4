/**
 * `flowlog policy check|test` as a user runs them: a child process, its exit
 * code and what it prints, with and without an IPAM.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../../bin/flowlog.js', import.meta.url));
const env = { ...process.env };
delete env.FLOWLOG_ENRICH;
const flowlog = (...args: string[]) => spawnSync(process.execPath, [BIN, 'policy', ...args], { encoding: 'utf8', env, timeout: 120_000 });

const POLICY = `mode: enforce
segments:
  pci:   { match: { segment: pci } }
  prod:  { match: { env: prod } }
  dev:   { match: { env: [dev, staging] } }
  office: { cidrs: [203.0.113.0/24] }
  internet: { match: { class: public }, internal: false }
default: allow
rules:
  - { name: dev-to-pci, from: dev, to: pci, action: deny }
  - { name: pci-db, from: prod, to: pci, ports: [5432, "8000-8100"], protocol: tcp, action: allow }
  - { name: prod-to-pci-other, from: prod, to: pci, action: alert }
  - { name: any-to-office-ssh, from: any, to: office, ports: [22], action: deny }
`;

let dir = '';
const f = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-policy-cli-'));
  writeFileSync(f('policy.yaml'), POLICY);
  writeFileSync(f('warn.yaml'), `${POLICY}  - { name: again, from: dev, to: pci, action: alert }\n  - { name: typo, from: pcii, to: prod, action: deny }\n`);
  writeFileSync(f('observe.yaml'), POLICY.replace('mode: enforce', 'mode: observe'));
  writeFileSync(f('bad.yaml'), 'segments:\n  pci: { match: { sgement: pci } }\nrules: [ { from: any, to: pci, action: block } ]\n');
  writeFileSync(f('ipam.yaml'), 'prefixes:\n  - { cidr: 10.1.0.0/16, env: prod, owner: platform }\n  - { cidr: 10.1.2.0/24, segment: pci, owner: payments }\n  - { cidr: 10.2.0.0/16, env: dev }\n');
  writeFileSync(f('enrich.yaml'), 'enrich:\n  files: [ipam.yaml]\n');
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('flowlog policy check', () => {
  it('explains a clean policy and exits 0', () => {
    const r = flowlog('check', f('policy.yaml'), '--enrich', f('enrich.yaml'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('mode enforce, default allow, 5 segments, 4 rules');
    expect(r.stdout).toMatch(/1 +pci +segment=pci +1\n/);
    expect(r.stdout).toMatch(/2 +prod +env=prod +1 \(of 2 matching\)\n/);
    expect(r.stdout).toMatch(/2 +pci-db +prod +pci +tcp +5432,8000-8100 +allow/);
    expect(r.stdout).toMatch(/ +prod +ports\/alert +allow +allow +ports\/allow +allow +allow\n/);
    expect(r.stdout).toContain('prod -> pci: tcp/5432,8000-8100 allow (rule pci-db); otherwise alert (rule prod-to-pci-other)');
    expect(r.stdout).toContain('any -> office: any/22 deny (rule any-to-office-ssh); otherwise allow (default)');
    expect(r.stdout).toContain('No warnings.');
  });

  it('lists warnings and exits 1; --format json gives the same as data', () => {
    const r = flowlog('check', f('warn.yaml'), '--enrich', f('enrich.yaml'));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('shadowed-rule: rule again is never reached: dev-to-pci');
    expect(r.stdout).toContain('unknown-segment: rule typo: from "pcii" is no segment, so the rule never matches');
    const j = flowlog('check', f('warn.yaml'), '--enrich', f('enrich.yaml'), '--format', 'json');
    expect(j.status).toBe(1);
    const e = JSON.parse(j.stdout);
    expect(e.warnings.map((w: { kind: string }) => w.kind)).toEqual(['unknown-segment', 'shadowed-rule']);
    expect(e.rules[4]).toMatchObject({ name: 'again', shadowed_by: 'dev-to-pci' });
    expect(e.matrix.segments).toEqual(['pci', 'prod', 'dev', 'office', 'internet', 'unsegmented']);
    expect(e.matrix.cells[2][0]).toBe('deny');
  });

  it('without an IPAM, does not call attribute segments empty', () => {
    const r = flowlog('check', f('policy.yaml'));
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('pass --enrich FILE to count the IPAM prefixes');
  });

  it('exits 2 on an invalid policy, naming every key', () => {
    const r = flowlog('check', f('bad.yaml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID');
    expect(r.stderr).toMatch(/segments\.pci\.match\.sgement: .*an IPAM attribute/);
    expect(r.stderr).toMatch(/rules\[0\]\.action: got "block"/);
    expect(flowlog('check', f('missing.yaml')).status).toBe(2);
    expect(flowlog('check').status).toBe(2);
    expect(flowlog('frobnicate', f('policy.yaml')).stderr).toContain('unknown policy command');
  });
});

describe('flowlog policy test', () => {
  const test = (...args: string[]) => flowlog('test', f('policy.yaml'), '--enrich', f('enrich.yaml'), ...args);

  it('says where each address falls and why, which rule decides, and what would be recorded', () => {
    const r = test('--src', '10.2.0.5', '--dst', '10.1.2.9', '--port', '443');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('src 10.2.0.5: dev  (IPAM 10.2.0.0/16 has env=dev (segment dev: env=dev|staging))');
    expect(r.stdout).toContain('dst 10.1.2.9: pci  (IPAM 10.1.2.0/24 has segment=pci (segment pci: segment=pci))');
    expect(r.stdout).toContain('decision: deny  (rule 1 dev-to-pci: from dev to pci');
    expect(r.stdout).toContain('ACCEPTed: recorded as a breach');
    expect(r.stdout).toContain('REJECTed: recorded as an attempt');
  });

  it('exits 0 for an allowed flow; ports, protocols and CIDR segments', () => {
    const ok = test('--src', '10.1.7.5', '--dst', '10.1.2.9', '--port', '8050');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('decision: allow  (rule 2 pci-db');
    const udp = test('--src', '10.1.7.5', '--dst', '10.1.2.9', '--port', '5432', '--proto', 'udp', '--action', 'REJECT');
    expect(udp.status).toBe(1);
    expect(udp.stdout).toContain('decision: alert  (rule 3 prod-to-pci-other');
    expect(udp.stdout).toContain('REJECTed: recorded as an attempt');
    expect(udp.stdout).not.toContain('ACCEPTed');
    const ssh = test('--src', '8.8.8.8', '--dst', '203.0.113.9', '--port', '22', '--format', 'json');
    const x = JSON.parse(ssh.stdout);
    expect(x.src).toMatchObject({ segment: 'internet', via: 'attributes', ipam_prefix: '0.0.0.0/0' });
    expect(x.dst).toMatchObject({ segment: 'office', via: 'cidr', cidr: '203.0.113.0/24' });
    expect(x).toMatchObject({ rule: 'any-to-office-ssh', decision: 'deny', recorded: { ACCEPT: 'breach', REJECT: 'attempt' } });
    const dflt = test('--src', '192.168.1.1', '--dst', '10.1.2.9', '--port', '80');
    expect(dflt.status).toBe(0);
    expect(dflt.stdout).toContain('src 192.168.1.1: unsegmented  (no segment matches (IPAM 192.168.0.0/16: class=private, internal=true))');
    expect(dflt.stdout).toContain('no rule matches unsegmented -> pci tcp/80: the default, allow');
  });

  it('observe mode says nothing alerts', () => {
    const r = flowlog('test', f('observe.yaml'), '--enrich', f('enrich.yaml'), '--src', '10.2.0.5', '--dst', '10.1.2.9', '--action', 'ACCEPT');
    expect(r.stdout).toContain('ACCEPTed: recorded as a breach (observe mode: observe=1, no alert)');
  });

  it('exits 2 on bad flags', () => {
    expect(test('--dst', '10.1.2.9').stderr).toContain('policy test needs --src ADDR');
    expect(test('--src', 'x', '--dst', '10.1.2.9').status).toBe(2);
    expect(test('--src', '10.1.1.1', '--dst', '10.1.2.9', '--port', '70000').stderr).toContain('--port "70000" is not a port');
    expect(test('--src', '10.1.1.1', '--dst', '10.1.2.9', '--proto', 'tcpx').status).toBe(2);
    expect(test('--src', '10.1.1.1', '--dst', '10.1.2.9', '--action', 'DROP').stderr).toContain('--action "DROP" is not one of ACCEPT, REJECT');
  });
});
