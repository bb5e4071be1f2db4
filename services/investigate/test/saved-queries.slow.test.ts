/**
 * Saved queries: the header parser refuses what would fail an analyst later;
 * every file in sql/queries parses and runs on generated, enriched data with
 * its defaults and returns rows that agree with a plain count; and
 * `flowlog sql --saved / --list-saved` behave as a user sees them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { ChdbStore } from '../../store/chdb-store.js';
import { checkGiven, normalizeValue, resolveParams } from '../saved-params.js';
import { loadSavedQueries, parseSavedQuery, type SavedQuery } from '../saved-queries.js';
import { fillStore, type Filled } from './fixture.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));
const GOOD = `-- name: demo
-- purpose: what it answers
--   over two lines
-- param: since:DateTime64(3, 'UTC') = now() - INTERVAL 1 HOUR ; start
-- param: addr:String ; an address
--   or a CIDR
-- param: note:String = 'a;b=c'
--
-- free comment {not:Placeholder}
SELECT {addr:String}, {note:String} WHERE t >= {since:DateTime64(3,'UTC')};
`;
const fails = (text: string, pattern: RegExp) => {
  expect(() => parseSavedQuery(text, '/q/demo.sql')).toThrow(pattern);
};

describe('saved query header', () => {
  it('parses name, purpose, typed parameters with defaults and descriptions', () => {
    const q = parseSavedQuery(GOOD, '/q/demo.sql');
    expect(q).toMatchObject({ name: 'demo', purpose: 'what it answers over two lines' });
    expect(q.params).toEqual([
      { name: 'since', type: "DateTime64(3, 'UTC')", default: 'now() - INTERVAL 1 HOUR', description: 'start' },
      { name: 'addr', type: 'String', default: null, description: 'an address or a CIDR' },
      { name: 'note', type: 'String', default: "'a;b=c'", description: '' },
    ]);
    expect(q.sql.startsWith('-- free comment')).toBe(true);
    expect(q.sql.endsWith(';')).toBe(false);
  });

  it('refuses what would fail later, with the line', () => {
    fails(GOOD.replace('-- name: demo', '-- name: other'), /name "other" must equal the file name "demo"/);
    fails(GOOD.replace('-- purpose: what it answers', '-- purpos: x'), /:2: unknown header key "purpos"/);
    fails(GOOD.replace('{addr:String}, ', ''), /declared but never used: addr/);
    fails(GOOD.replace('{note:String}', '{notes:String}'), /\{notes:String\} is used but not declared/);
    fails(GOOD.replace('{note:String}', '{note:UInt8}'), /does not match its declared type String/);
    fails(GOOD.replace("-- param: note:String = 'a;b=c'", '-- param: note:String ='), /empty default/);
    fails(GOOD.replace('-- purpose: what it answers\n--   over two lines\n', ''), /missing "-- purpose:"/);
    fails(GOOD.replace('-- param: addr:String', '-- param: addr String'), /is not name:Type/);
    fails(GOOD.replace('--   or a CIDR', '-- or a CIDR'), /neither a "-- key: value" line nor an indented continuation/);
  });

  it('checks values against the declared types before anything runs', () => {
    const q = parseSavedQuery(GOOD.replace("-- param: note:String = 'a;b=c'", '-- param: note:UInt16 = 5').replace('{note:String}', '{note:UInt16}'), '/q/demo.sql');
    const [since, , note] = q.params as [SavedQuery['params'][0], unknown, SavedQuery['params'][0]];
    expect(() => normalizeValue(note, '70000')).toThrow(/out of range for UInt16/);
    expect(() => normalizeValue(note, '12x')).toThrow(/not an integer/);
    expect(normalizeValue(since, '2026-11-24T10:00:00Z')).toBe('2026-11-24 10:00:00.000');
    expect(normalizeValue(since, '2026-11-24 10:00')).toBe('2026-11-24 10:00:00.000');
    expect(normalizeValue(since, '2h', new Date('2026-11-24T12:00:00Z'))).toBe('2026-11-24 10:00:00.000');
    expect(() => normalizeValue(since, 'yesterday')).toThrow(/not a time/);
    const usage = (f: () => unknown) => { try { f(); } catch (e) { return e as FlowlogError; } throw new Error('no error'); };
    const missing = usage(() => checkGiven(q, {}));
    expect([missing.code, missing.message]).toEqual(['USAGE', 'saved query demo needs addr']);
    expect(missing.hint).toContain('--param addr=...  (String: an address or a CIDR)');
    const unknown = usage(() => checkGiven(q, { addr: '10.0.0.1', adr: 'x' }));
    expect([unknown.code, unknown.message]).toEqual(['USAGE', 'saved query demo has no parameter adr']);
    expect(unknown.hint).toContain('addr:String (required)');
  });

  it('every file in sql/queries parses', () => {
    const all = loadSavedQueries();
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const q of all) expect(q.purpose.length, q.name).toBeGreaterThan(20);
  });
});

describe('saved queries on generated, enriched data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-saved-'));
  let store: ChdbStore | null = null;
  let filled: Filled;
  const run = async (name: string, given: Record<string, string> = {}) => {
    const q = loadSavedQueries().find((x) => x.name === name)!;
    return store!.queryRows<Record<string, unknown>>(q.sql, await resolveParams(store!, q, given));
  };
  const one = async (sql: string, params?: Record<string, unknown>) => Number(Object.values((await store!.queryRows<Record<string, unknown>>(sql, params))[0]!)[0]);
  const t = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'store') } });

  beforeAll(async () => {
    store = new ChdbStore(join(dir, 'store'));
    await store.migrate();
    filled = await fillStore(store, join(dir, 'data'));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every saved query runs with its defaults (and the required parameters) and returns rows', async () => {
    const required: Record<string, Record<string, string>> = {
      'talked-to': { addr: filled.targets.ip }, 'segment-to-segment': { from_segment: 'app', to_segment: 'data' }, 'port-across-estate': { port: '5432' },
    };
    for (const q of loadSavedQueries()) {
      const rows = await run(q.name, required[q.name] ?? {});
      expect(rows.length, q.name).toBeGreaterThan(0);
    }
  });

  it('top-talkers, scanners and talked-to agree with plain counts', async () => {
    // explicit windows: a default's now() and the check's would differ by the seconds between them
    const ago = (h: number) => new Date(filled.now.getTime() - h * 3_600_000);
    const win = (h: number) => ({ since: ago(h).toISOString(), until: filled.now.toISOString() });
    const bind = (h: number) => ({ s: t(ago(h)), u: t(filled.now) });
    const inWindow = "start_time >= {s:DateTime64(3, 'UTC')} AND start_time < {u:DateTime64(3, 'UTC')}";
    const top = await run('top-talkers', { ...win(1), limit: '5' });
    expect(top).toHaveLength(5);
    const sent = top.map((r) => Number(r.bytes_sent));
    expect(sent).toEqual([...sent].sort((a, b) => b - a));
    expect(sent[0]).toBe(await one(`SELECT max(b) FROM (SELECT sum(bytes) AS b FROM flows WHERE ${inWindow} GROUP BY src_addr)`, bind(1)));

    const scanners = await run('scanners', { ...win(2), min_denied: '2' });
    for (const r of scanners) expect(Number(r.denied)).toBeGreaterThanOrEqual(2);
    const first = scanners[0]!;
    expect(Number(first.denied)).toBe(await one(`SELECT countIf(action = 'REJECT') FROM flows WHERE ${inWindow} AND src_addr = toIPv6({a:String})`, { ...bind(2), a: first.source }));

    // a CIDR: every peer on both sides; the flows add up to those touching the range
    const cidr = filled.targets.cidr;
    const peers = await run('talked-to', { addr: cidr, ...win(3), limit: '100000' });
    const inRange = (c: string) => `isIPAddressInRange(replaceOne(toString(${c}), '::ffff:', ''), {c:String})`;
    expect(peers.reduce((a, r) => a + Number(r.flows), 0)).toBe(await one(`SELECT count() FROM flows WHERE ${inWindow} AND (${inRange('src_addr')} OR ${inRange('dst_addr')})`, { ...bind(3), c: cidr }));
    expect(new Set(peers.map((r) => r.direction))).toEqual(new Set(['inbound', 'outbound']));
  });

  it('rollup-based queries agree with the raw flows', async () => {
    // minute- and hour-aligned windows, so the rollups and the raw rows cover the same flows
    const until = filled.now, since = new Date(until.getTime() - 24 * 3_600_000);
    const vpc = await run('volume-by-vpc', { since: since.toISOString(), until: until.toISOString(), limit: '1000' });
    expect(vpc.reduce((a, r) => a + Number(r.flows), 0)).toBe(await one("SELECT count() FROM flows WHERE start_time >= {s:DateTime64(3, 'UTC')} AND start_time < {u:DateTime64(3, 'UTC')}", { s: t(since), u: t(until) }));
    const hour = new Date(Math.floor(since.getTime() / 3_600_000) * 3_600_000), end = new Date(Math.ceil(until.getTime() / 3_600_000) * 3_600_000);
    const egress = await run('egress-by-owner', { since: hour.toISOString(), until: end.toISOString(), limit: '1000' });
    expect(egress.reduce((a, r) => a + Number(r.bytes), 0)).toBe(await one("SELECT sum(bytes) FROM flows WHERE egress = 1 AND start_time >= {s:DateTime64(3, 'UTC')} AND start_time < {u:DateTime64(3, 'UTC')}", { s: t(hour), u: t(end) }));
  });

  it('new-public-destinations are new: none of them was reached by that owner in the baseline', async () => {
    const dayStart = new Date(filled.now.getTime() - 86_400_000);
    const rows = await run('new-public-destinations', { day_start: dayStart.toISOString(), limit: '1000' });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows.slice(0, 20)) {
      expect(await one(`SELECT count() FROM flows WHERE start_time >= {b:DateTime64(3, 'UTC')} AND start_time < {d0:DateTime64(3, 'UTC')}
        AND src_owner = {o:String} AND dst_addr = toIPv6({d:String})`, { b: t(new Date(dayStart.getTime() - 7 * 86_400_000)), d0: t(dayStart), o: r.owner, d: r.destination })).toBe(0);
    }
  });

  it('policy, anomaly and ownership questions agree with their tables', async () => {
    const since = new Date(filled.now.getTime() - 86_400_000);
    const v = await run('segmentation-violations', { since: since.toISOString() });
    expect(v.reduce((a, r) => a + Number(r.flows), 0)).toBe(await one("SELECT count() FROM policy_violations WHERE time >= {s:DateTime64(3, 'UTC')}", { s: t(since) }));
    expect(v[0]!.kind).toBe('breach');
    const a = await run('open-anomalies');
    expect(a.reduce((s, r) => s + Number(r.findings), 0)).toBe(await one("SELECT count() FROM anomalies_current WHERE status = 'open'"));
    expect(a[0]!.severity).toBe('high');
    expect((await run('open-anomalies', { owner: '' })).map((r) => r.owner)).toEqual(['']);
    const unowned = await run('unowned-internal');
    for (const r of unowned) expect(await one("SELECT countIf(src_owner IS NOT NULL) + 0 FROM flows WHERE src_addr = toIPv6({a:String}) AND start_time >= now() - INTERVAL 24 HOUR", { a: r.address })).toBe(0);
    expect(new Set(unowned.map((r) => r.vpc))).toEqual(new Set(['vpc-2ff770ed8aaa08128']));
  });

  it('flowlog sql --list-saved, --saved with defaults, and the usage errors', async () => {
    const list = cli(['sql', '--list-saved']);
    expect(list.status, list.stderr).toBe(0);
    for (const q of loadSavedQueries()) expect(list.stdout).toContain(`${q.name}\n  ${q.purpose}`);
    expect(list.stdout).toContain('--param addr:String (required)');
    expect(list.stdout).toContain('times: ISO 8601 (2026-11-24T10:00:00Z, UTC without a zone), now, or a duration back (30s, 90m, 2h, 7d, 1w), as in --param since=3d');
    const missing = cli(['sql', '--saved', 'talked-to']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error USAGE: saved query talked-to needs addr\n {2}hint: --param addr=\.\.\. {2}\(String: an address/);
    const unknown = cli(['sql', '--saved', 'top-talkers', '--param', 'limt=3']);
    expect([unknown.status, unknown.stderr.split('\n')[0]]).toEqual([2, 'error USAGE: saved query top-talkers has no parameter limt']);
    const nosuch = cli(['sql', '--saved', 'top-talker']);
    expect(nosuch.status).toBe(2);
    expect(nosuch.stderr).toContain('hint: one of: ');
    await store!.close(); // the CLI needs the data directory to itself
    store = null;
    const ok = cli(['sql', '--saved', 'top-talkers', '--param', 'limit=3', '--param', 'since=3h', '--format', 'json']);
    expect(ok.status, ok.stderr).toBe(0);
    const rows = ok.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]!)).toEqual(['address', 'owner', 'service', 'segment', 'class', 'flows', 'bytes_sent', 'peers', 'denied']);
  });
});
