/**
 * `flowlog investigate` on generated, enriched data, for targets picked from
 * it (a busy internal address, its /16, its interface, its owner, a service
 * named without a prefix). Every section's numbers are checked against plain
 * SQL written independently here (isIPAddressInRange rather than the key
 * ranges, interface_id and IPAM lookups rather than the oriented subquery);
 * the timeline adds up to the totals; the CLI prints parseable JSON and
 * refuses bad targets with advice.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { ChdbStore } from '../../store/chdb-store.js';
import { investigate, type Investigation } from '../investigate.js';
import { parseTarget, resolveTarget } from '../target.js';
import { chTime, isoFromCh, resolveWindow, type TimeWindow } from '../time-window.js';
import { fillStore, type Filled } from './fixture.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'flowlog-investigate-'));
let store: ChdbStore | null = null;
let filled: Filled;
let w: TimeWindow;

beforeAll(async () => {
  store = new ChdbStore(join(dir, 'store'));
  await store.migrate();
  filled = await fillStore(store, join(dir, 'data'));
  // edges off the minute, so the timeline's partial first and last buckets are exercised
  w = { since: new Date(filled.recentStart.getTime() + 7.5 * 60_000), until: new Date(filled.now.getTime() - 3.25 * 60_000) };
}, 120_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Independent definitions: which flows are the target's, and when the target is the source. */
interface Plain { where: string; isSrc: string; params: Record<string, unknown> }

async function plainFor(kind: string, value: string): Promise<Plain> {
  const inCidr = (c: string) => `ifNull(isIPAddressInRange(replaceOne(toString(${c}), '::ffff:', ''), {v:String}), 0)`;
  switch (kind) {
    case 'ip': return { where: 'src_addr = toIPv6({v:String}) OR dst_addr = toIPv6({v:String})', isSrc: 'ifNull(src_addr = toIPv6({v:String}), 0)', params: { v: value } };
    case 'cidr': return { where: `${inCidr('src_addr')} OR ${inCidr('dst_addr')}`, isSrc: inCidr('src_addr'), params: { v: value } };
    case 'owner': case 'service':
      return { where: `src_${kind} = {v:String} OR dst_${kind} = {v:String}`, isSrc: `ifNull(src_${kind} = {v:String}, 0)`, params: { v: value } };
    default: {
      const [ipam] = await store!.queryRows<{ p: string }>('SELECT prefix AS p FROM ipam_current WHERE eni = {v:String}', { v: value });
      return { where: 'interface_id = {v:String}', isSrc: 'ifNull(src_addr = toIPv6({a:String}), 0)', params: { v: value, a: ipam!.p.replace(/\/\d+$/, '') } };
    }
  }
}

/** Rows of the target's flows with s = 1 when it is the source, each flow once. */
const flowsOf = (p: Plain) => `(SELECT *, ${p.isSrc} AS s FROM flows WHERE start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')} AND (${p.where}))`;
const q = async <T = Record<string, unknown>>(sql: string, p: Plain) =>
  store!.queryRows<T>(sql, { ...p.params, since: chTime(w.since), until: chTime(w.until) });

async function checkAgainstPlainSql(x: Investigation, p: Plain): Promise<void> {
  const f = flowsOf(p);
  const [s] = await q<Record<string, number | string | null>>(`SELECT count() AS flows, countIf(s = 1) AS flows_sent, countIf(s = 0) AS flows_received,
      sum(if(s = 1, ifNull(bytes, 0), ifNull(reverse_bytes, 0))) AS bytes_out, sum(if(s = 1, ifNull(reverse_bytes, 0), ifNull(bytes, 0))) AS bytes_in,
      countIf(action = 'ACCEPT') AS accepted, countIf(action = 'REJECT') AS denied, uniqExact(if(s = 1, dst_addr, src_addr)) AS peers,
      toString(minOrNull(start_time)) AS first_seen, toString(maxOrNull(start_time)) AS last_seen FROM ${f}`, p);
  const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
  expect(x.summary).toMatchObject({ ...Object.fromEntries(Object.entries(s!).map(([k, v]) => [k, num(v)])),
    first_seen: isoFromCh(String(s!.first_seen)), last_seen: isoFromCh(String(s!.last_seen)) });
  expect(x.summary.flows).toBeGreaterThan(0);

  const peers = await q<{ b: number; n: number }>(`SELECT sum(ifNull(bytes, 0) + ifNull(reverse_bytes, 0)) AS b, count() AS n FROM ${f}
      WHERE if(s = 1, dst_addr, src_addr) IS NOT NULL GROUP BY if(s = 1, dst_addr, src_addr) ORDER BY b DESC, n DESC LIMIT 10`, p);
  expect(x.peers.map((r) => [r.bytes, r.flows])).toEqual(peers.map((r) => [Number(r.b), Number(r.n)]));

  const ports = (cond: string, port: string) => q<{ port: number; protocol: number; n: number }>(
    `SELECT ${port} AS port, protocol, count() AS n FROM ${f} WHERE ${cond} GROUP BY port, protocol ORDER BY n DESC, port, protocol LIMIT 10`, p);
  expect(x.ports.connects_to.map((r) => [r.port, r.protocol, r.flows])).toEqual(
    (await ports('s = 1 AND dst_port <= src_port', 'dst_port')).map((r) => [r.port, r.protocol, Number(r.n)]));
  expect(x.ports.listening.map((r) => [r.port, r.protocol, r.flows])).toEqual(
    (await ports("s = 0 AND action = 'ACCEPT' AND dst_port <= src_port", 'dst_port')).map((r) => [r.port, r.protocol, Number(r.n)]));

  const [d] = await q<Record<string, number>>(`SELECT countIf(s = 0) AS inbound, countIf(s = 1) AS outbound FROM ${f} WHERE action = 'REJECT'`, p);
  expect([x.denied.flows, x.denied.inbound, x.denied.outbound]).toEqual([x.summary.denied, Number(d!.inbound), Number(d!.outbound)]);
  const deniedPorts = await q<{ n: number }>(`SELECT count() AS n FROM ${f} WHERE action = 'REJECT' GROUP BY dst_port, protocol, s ORDER BY n DESC LIMIT 10`, p);
  expect(x.denied.top_ports.map((r) => r.flows)).toEqual(deniedPorts.map((r) => Number(r.n)));

  // the timeline adds up to the totals, one bucket per minute of the window
  const pts = x.timeline.points;
  expect(x.timeline.bucket_seconds).toBe(60);
  expect(pts).toHaveLength(Math.ceil(w.until.getTime() / 60_000) - Math.floor(w.since.getTime() / 60_000));
  expect(pts.reduce((a, b) => a + b.flows, 0)).toBe(x.summary.flows);
  expect(pts.reduce((a, b) => a + b.bytes, 0)).toBe(x.summary.bytes_in + x.summary.bytes_out);
  expect(pts.reduce((a, b) => a + b.denied, 0)).toBe(x.summary.denied);
}

/** Violations touching the target, counted in policy_violations directly. */
async function plainViolations(kind: string, value: string, ip: string): Promise<number> {
  const side = (c: 'src' | 'dst') => ({
    ip: `${c}_addr = toIPv6({v:String})`, eni: `${c}_addr = toIPv6({ip:String})`, owner: `${c}_owner = {v:String}`,
    cidr: `ifNull(isIPAddressInRange(replaceOne(toString(${c}_addr), '::ffff:', ''), {v:String}), 0)`,
  } as Record<string, string>)[kind]!;
  const [r] = await store!.queryRows<{ n: number }>(`SELECT count() AS n FROM policy_violations WHERE time >= {since:DateTime64(3, 'UTC')} AND time < {until:DateTime64(3, 'UTC')}
    AND (${side('src')} OR ${side('dst')})`, { v: value, ip, since: chTime(w.since), until: chTime(w.until) });
  return Number(r!.n);
}

const entities = (x: Investigation) => x.anomalies.map((a) => `${a.entity} [${a.match}]`).sort();

describe('flowlog investigate', () => {
  it('an address: every section agrees with plain SQL; its anomalies by entity and by evidence', async () => {
    const { ip, owner } = filled.targets;
    const x = await investigate(store!, ip, w);
    expect(x.target).toMatchObject({ kind: 'ip', value: ip, interpretation: `address ${ip}: flows with it as source or destination` });
    await checkAgainstPlainSql(x, await plainFor('ip', ip));
    expect(x.summary.addresses).toBe(1);
    expect(x.summary.enrichment.owner).toEqual([owner]);
    expect(x.ipam.entries[0]).toMatchObject({ prefix: `${ip}/32`, owner });
    // 10.x.y.1 shares a prefix of the text, not the address: only its evidence names ours
    expect(entities(x)).toEqual([`${ip.replace(/\.\d+$/, '.1')}:6/4444 [evidence]`, `src=${ip} [entity]`]);
    expect(x.violations.flows).toBe(await plainViolations('ip', ip, ip));
    expect(x.violations.flows).toBeGreaterThan(0);
  });

  it('a CIDR: flows inside it count once; anomalies about any of its addresses', async () => {
    const { cidr, ip } = filled.targets;
    const x = await investigate(store!, cidr, w);
    expect(x.target.kind).toBe('cidr');
    await checkAgainstPlainSql(x, await plainFor('cidr', cidr));
    expect(x.summary.addresses).toBeGreaterThan(1);
    expect(entities(x)).toEqual([`${ip.replace(/\.\d+$/, '.1')}:6/4444 [entity]`, `src=${ip} [entity]`]);
    expect(x.violations.flows).toBe(await plainViolations('cidr', cidr, ip));
  });

  it('an interface: the flows it logged, sent vs received by its IPAM address', async () => {
    const { eni } = filled.targets;
    const x = await investigate(store!, eni, w);
    const p = await plainFor('eni', eni);
    expect(x.target).toMatchObject({ kind: 'eni', ranges: [{ lo: p.params.a, hi: p.params.a }] });
    expect(x.target.interpretation).toContain('(from IPAM)');
    await checkAgainstPlainSql(x, p);
    expect(x.violations.flows).toBe(await plainViolations('eni', eni, String(p.params.a)));
  });

  it('an owner, with and without the prefix; its anomalies by owner and by entity', async () => {
    const { owner, ip } = filled.targets;
    const x = await investigate(store!, `owner:${owner}`, w);
    await checkAgainstPlainSql(x, await plainFor('owner', owner));
    expect(entities(x)).toEqual([`owner=${owner} [entity]`, `src=${ip} [owner]`]);
    expect(x.ipam.total).toBeGreaterThan(0);
    expect(x.ipam.entries.every((e) => e.owner === owner)).toBe(true);
    expect(x.violations.flows).toBe(await plainViolations('owner', owner, ip));
    const bare = await investigate(store!, owner, w);
    expect(bare.target.kind).toBe('owner');
    expect(bare.target.interpretation).toMatch(/read as owner .* owners are tried before services/);
    expect(bare.summary).toEqual(x.summary);
  });

  it('a bare service name is tried as an owner first, then read as the service', async () => {
    const x = await investigate(store!, 'db', w);
    expect(x.target).toMatchObject({ kind: 'service', value: 'db' });
    await checkAgainstPlainSql(x, await plainFor('service', 'db'));
  });

  it('JSON: one object with every section, round-trips', async () => {
    const x = JSON.parse(JSON.stringify(await investigate(store!, filled.targets.ip, w))) as Investigation;
    expect(Object.keys(x)).toEqual(['target', 'window', 'summary', 'ipam', 'peers', 'ports', 'denied', 'anomalies', 'violations', 'timeline', 'timings_ms']);
    expect(Object.keys(x.ports)).toEqual(['connects_to', 'listening']);
    expect(x.window).toEqual({ since: w.since.toISOString(), until: w.until.toISOString() });
    expect([x.summary.first_seen, x.anomalies[0]!.last_seen, x.violations.groups[0]!.last_seen]).toEqual([expect.stringMatching(/^2\d{3}-.*Z$/), expect.stringMatching(/Z$/), expect.stringMatching(/Z$/)]);
    expect(x.peers[0]).toEqual(expect.objectContaining({ peer: expect.any(String), bytes: expect.any(Number) }));
    // an external peer has no owner: null, not missing (the data follows the clock, so which peer tops the list varies)
    for (const p of x.peers) expect(p.owner === null || typeof p.owner === 'string', JSON.stringify(p)).toBe(true);
    expect(x.timeline.points[0]).toEqual({ t: expect.stringMatching(/Z$/), flows: expect.any(Number), bytes: expect.any(Number), denied: expect.any(Number) });
  });

  it('reads windows as typed at an incident: durations back from --until, ISO without a zone as UTC', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const iso = (x: TimeWindow) => [x.since.toISOString(), x.until.toISOString()];
    expect(iso(resolveWindow(undefined, undefined, now))).toEqual(['2026-11-24T10:00:00.000Z', '2026-11-24T12:00:00.000Z']);
    expect(iso(resolveWindow('90m', '2026-11-24 08:00', now))).toEqual(['2026-11-24T06:30:00.000Z', '2026-11-24T08:00:00.000Z']);
    expect(iso(resolveWindow('2026-11-23T22:00:00+02:00', '1h', now))).toEqual(['2026-11-23T20:00:00.000Z', '2026-11-24T11:00:00.000Z']);
    expect(() => resolveWindow('yesterday', undefined, now)).toThrow(/--since "yesterday" is not a time/);
    expect(() => resolveWindow('2026-11-24T13:00:00Z', undefined, now)).toThrow(/is not before --until/);
  });

  it('bad targets are usage errors with advice', async () => {
    const usage = async (input: string): Promise<FlowlogError> => {
      try { parseTarget(input); await resolveTarget(store!, input, w); } catch (e) { return e as FlowlogError; }
      throw new Error(`${input} was accepted`);
    };
    for (const [input, msg] of [['10.1.2.300', /looks like an address but is not a valid one/], ['10.0.0.0/33', /prefix length \/33 exceeds \/32/],
      ['eni-xyz', /not an interface id/], ['owner:', /names no owner/], ['nosuch-team', /no owner or service of that name/], ['a b', /not an address, CIDR/]] as const) {
      const e = await usage(input);
      expect(e.code, input).toBe('USAGE');
      expect(e.message, input).toMatch(msg);
      expect(e.hint, input).toContain('owner:NAME or service:NAME');
    }
    expect((await usage('nosuch-team')).hint).toContain(`Known owners: `);
    // an explicit owner nobody has still runs, with a note naming the known ones
    const x = await investigate(store!, 'owner:paymnts', w);
    expect(x.summary.flows).toBe(0);
    expect(x.target.notes[0]).toMatch(/no IPAM entry or flow in the window names owner "paymnts"; known owners: .*payments/);
  });

  it('the CLI: JSON on stdout with exit 0, a text report, and exit 2 with a hint for a bad target', async () => {
    const expected = await investigate(store!, filled.targets.ip, w);
    await store!.close(); // the CLI needs the data directory to itself
    store = null;
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'investigate', ...args], { encoding: 'utf8', env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'store') } });
    const span = ['--since', w.since.toISOString(), '--until', w.until.toISOString()];
    const json = run([filled.targets.ip, ...span, '--format', 'json']);
    expect(json.status, json.stderr).toBe(0);
    const x = JSON.parse(json.stdout) as Investigation;
    expect(x.summary).toEqual(expected.summary);
    expect(x.peers).toEqual(expected.peers);
    const text = run([filled.targets.cidr, ...span]);
    expect(text.status, text.stderr).toBe(0);
    for (const section of ['target: network', 'SUMMARY', 'IPAM', 'TOP PEERS', 'PORTS', 'DENIED', 'ANOMALIES', 'SEGMENTATION VIOLATIONS', 'TIMELINE']) expect(text.stdout).toContain(section);
    expect(text.stdout).toMatch(/flows {2}\|[ ▁▂▃▄▅▆▇█]+\| max \d+ per 1 min/);
    const bad = run(['10.0.0.0/40']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/error USAGE: "10.0.0.0\/40" is not a CIDR[^\n]*\n {2}hint: give an address/);
    const two = run(['10.0.0.1', '10.0.0.2']);
    expect([two.status, two.stderr.split('\n')[0]]).toEqual([2, 'error USAGE: one target at a time, got 2: 10.0.0.1 10.0.0.2']);
    const window = run(['10.0.0.1', '--since', 'yesterday']);
    expect([window.status, window.stderr.split('\n')[0]]).toEqual([2, 'error USAGE: --since "yesterday" is not a time']);
  });
});
