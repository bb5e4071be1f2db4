import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateCommand } from '../../cli/commands/generate.js';
import { generate, type GeneratedFile, type GenerateSummary, MANIFEST, V2_HEADER, V5_HEADER } from '../index.js';

// 06:00-14:00 UTC: from the quiet early morning into the midday peak, with few enough files to stay fast.
const START = new Date('2026-01-05T06:00:00Z');
const HOURS = 8;
const T0 = START.getTime() / 1000;
const FLOWS = 20_000;
let root: string;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

async function hashes(dir: string): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const p of await walk(dir)) m.set(relative(dir, p).split(sep).join('/'), createHash('sha256').update(await readFile(p)).digest('hex'));
  return m;
}

async function run(name: string, seed: number, junk: number): Promise<{ dir: string; summary: GenerateSummary }> {
  const dir = join(root, name);
  const summary = await generate({ out: dir, flows: FLOWS, seed, start: START, hours: HOURS, junk });
  return { dir, summary };
}

const V2 = V2_HEADER.split(' '), V5 = V5_HEADER.split(' ');
const NUM = /^\d+$/;

/** A line is a record when every field is well-formed for its header name; anything else is junk. */
function isRecord(line: string, names: readonly string[]): boolean {
  const f = line.split(' ');
  if (f.length !== names.length) return false;
  for (let i = 0; i < f.length; i++) {
    const v = f[i]!, n = names[i]!;
    if (v === '-') continue;
    if (/addr$/.test(n) && isIP(v) === 0) return false;
    if (/port$/.test(n) && (!NUM.test(v) || Number(v) > 65535)) return false;
    if (['version', 'protocol', 'packets', 'bytes', 'start', 'end', 'tcp-flags', 'traffic-path'].includes(n) && !NUM.test(v)) return false;
  }
  return true;
}

interface AwsRec { start: number; end: number; packets: number; bytes: number; status: string }
function awsRecord(line: string, names: readonly string[]): AwsRec {
  const f = line.split(' ');
  const get = (n: string): string => f[names.indexOf(n)]!;
  return { start: Number(get('start')), end: Number(get('end')), packets: Number(get('packets')), bytes: Number(get('bytes')), status: get('log-status') };
}

function azureTuples(doc: unknown, format: GeneratedFile['format']): string[] {
  const out: string[] = [];
  for (const rec of (doc as { records: any[] }).records) {
    if (format === 'azure-nsg') for (const g of rec.properties.flows) for (const m of g.flows) out.push(...m.flowTuples);
    else for (const acl of rec.flowRecords.flows) for (const g of acl.flowGroups) out.push(...g.flowTuples);
  }
  return out;
}

const AWS_PATH = /^AWSLogs\/(\d{12})\/vpcflowlogs\/(us-east-1|eu-west-1)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_vpcflowlogs_\2_fl-[0-9a-f]{17}_\3\4\5T\d{2}[0-5][05]Z_[0-9a-f]{8}\.log\.gz$/;
const NSG_PATH = /^insights-logs-networksecuritygroupflowevent\/resourceId=\/SUBSCRIPTIONS\/[0-9A-F-]{36}\/RESOURCEGROUPS\/[A-Z0-9-]+\/PROVIDERS\/MICROSOFT\.NETWORK\/NETWORKSECURITYGROUPS\/[A-Z0-9-]+\/y=\d{4}\/m=\d{2}\/d=\d{2}\/h=\d{2}\/m=00\/macAddress=[0-9A-F]{12}\/PT1H\.json$/;
const VNET_PATH = /^insights-logs-flowlogflowevent\/flowLogResourceID=\/[0-9A-F-]{36}\/NETWORKWATCHERRG\/NETWORKWATCHER_[A-Z]+\/FLOWLOGS\/[A-Z0-9-]+\/y=\d{4}\/m=\d{2}\/d=\d{2}\/h=\d{2}\/m=00\/macAddress=[0-9A-F]{12}\/PT1H\.json$/;
const NSG_TUPLE = /^(\d+),([\d.]+),([\d.]+),(\d+),(\d+),[TU],[IO],[AD],(B,,,,|[CE],\d+,\d+,\d+,\d+)$/;
const VNET_TUPLE = /^(\d{13}),([\d.]+),([\d.]+),(\d+),(\d+),(6|17|1),[IO],([BD],N?X,0,0,0,0|[CE],N?X,\d+,\d+,\d+,\d+)$/;

let a: { dir: string; summary: GenerateSummary };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flowlog-gen-'));
  a = await run('a', 7, 12);
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generate', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const b = await run('b', 7, 12);
    const c = await run('c', 8, 12);
    const ha = await hashes(a.dir), hb = await hashes(b.dir), hc = await hashes(c.dir);
    expect(hb).toEqual(ha);
    const shared = [...hc.values()].filter((h) => [...ha.values()].includes(h));
    expect(shared.length).toBe(0);
  }, 60_000);

  it('writes a manifest that matches the returned summary and the files on disk', async () => {
    const manifest = JSON.parse(await readFile(join(a.dir, MANIFEST), 'utf8')) as GenerateSummary;
    expect(manifest).toEqual(a.summary);
    const onDisk = (await walk(a.dir)).map((p) => relative(a.dir, p).split(sep).join('/')).filter((p) => p !== MANIFEST).sort();
    expect(onDisk).toEqual(a.summary.files.map((f) => f.path).sort());
    expect(a.summary.records).toBe(FLOWS);
    expect(a.summary.junk).toBe(12);
    const by: Record<string, number> = {};
    for (const f of a.summary.files) by[f.format] = (by[f.format] ?? 0) + f.records;
    expect(by).toEqual({ 'aws-v2': 9000, 'aws-v5': 5000, 'azure-nsg': 4000, 'azure-vnet': 2000 });
  });

  it('lays files out as AWS and Azure deliver them', () => {
    for (const f of a.summary.files) {
      const re = f.format === 'azure-nsg' ? NSG_PATH : f.format === 'azure-vnet' ? VNET_PATH : AWS_PATH;
      expect(f.path, f.format).toMatch(re);
    }
  });

  it('AWS files: exact header, counts equal the manifest, sane records in time order', async () => {
    let nodata = 0, junk = 0, ok = 0;
    const bad: string[] = [];
    const byHour = new Array<number>(HOURS).fill(0);
    for (const f of a.summary.files.filter((x) => x.format.startsWith('aws'))) {
      const text = gunzipSync(await readFile(join(a.dir, f.path))).toString('latin1');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      const names = f.format === 'aws-v2' ? V2 : V5;
      expect(lines[0]).toBe(f.format === 'aws-v2' ? V2_HEADER : V5_HEADER);
      const body = lines.slice(1);
      const records = body.filter((l) => isRecord(l, names));
      expect(records.length, f.path).toBe(f.records);
      expect(body.length - records.length, f.path).toBe(f.junk);
      expect(body.length).toBe(f.records + f.junk);
      // Collected, not asserted per line: thousands of expect() calls would dominate the run time.
      let prev = 0, nd = 0;
      for (const l of records) {
        const r = awsRecord(l, names);
        if (r.start < prev) bad.push(`${f.path}: out of order: ${l}`);
        prev = r.start;
        if (!(r.end - r.start >= 0 && r.end - r.start <= 60)) bad.push(`${f.path}: window: ${l}`);
        if (r.start < T0 || r.start >= T0 + HOURS * 3600) bad.push(`${f.path}: outside span: ${l}`);
        if (r.status === 'OK') {
          ok++;
          if (!(r.packets >= 1 && r.bytes >= 40 * r.packets)) bad.push(`${f.path}: counters: ${l}`);
          byHour[Math.floor((r.start - T0) / 3600)]!++;
        } else if (r.status === 'NODATA' || r.status === 'SKIPDATA') {
          nd++;
        } else {
          bad.push(`${f.path}: status: ${l}`);
        }
      }
      expect(nd).toBe(f.nodata);
      nodata += nd; junk += f.junk;
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(junk).toBe(12);
    expect(nodata / (ok + nodata)).toBeGreaterThan(0.003);
    expect(nodata / (ok + nodata)).toBeLessThan(0.03);
    const early = byHour[0]! + byHour[1]!, midday = byHour[6]! + byHour[7]!;
    expect(midday).toBeGreaterThan(2.5 * early);
  });

  it('AWS v5 lines carry version 5, IPv4/IPv6 types and directions', async () => {
    const seen = new Set<string>();
    for (const f of a.summary.files.filter((x) => x.format === 'aws-v5')) {
      const lines = gunzipSync(await readFile(join(a.dir, f.path))).toString('latin1').split('\n').slice(1, -1);
      for (const l of lines.filter((x) => isRecord(x, V5))) {
        const v = l.split(' ');
        expect(v[0]).toBe('5');
        if (v[20] !== 'OK') continue;
        seen.add(v[6]!).add(v[27]!).add(v[18]!);
        if (v[27] === 'ingress') expect(v[28]).toBe('-');
      }
    }
    for (const want of ['IPv4', 'IPv6', 'ingress', 'egress', 'ACCEPT', 'REJECT']) expect(seen).toContain(want);
  });

  it('injects every kind of junk line when asked', async () => {
    const all: string[] = [];
    for (const f of a.summary.files.filter((x) => x.junk > 0)) {
      const lines = gunzipSync(await readFile(join(a.dir, f.path))).toString('latin1').split('\n').slice(1, -1);
      all.push(...lines.filter((l) => !isRecord(l, f.format === 'aws-v2' ? V2 : V5)));
    }
    expect(all.length).toBe(12);
    expect(all.some((l) => l.includes('10.0.0.999'))).toBe(true);
    expect(all.some((l) => l.split(' ').includes('12x'))).toBe(true);
    expect(all.some((l) => l.split(' ').includes('70000'))).toBe(true);
    expect(all.some((l) => l.includes('\x00'))).toBe(true);
    expect(all.some((l) => !l.includes('\x00') && l.split(' ').length !== V2.length && l.split(' ').length !== V5.length)).toBe(true);
  });

  it('Azure blobs: valid JSON, one record per active minute, tuple counts equal the manifest', async () => {
    const bad: string[] = [];
    for (const f of a.summary.files.filter((x) => x.format.startsWith('azure'))) {
      const doc = JSON.parse(await readFile(join(a.dir, f.path), 'utf8')) as { records: any[] };
      const hourStart = Date.parse(f.path.replace(/^.*\/y=(\d+)\/m=(\d+)\/d=(\d+)\/h=(\d+)\/.*$/, '$1-$2-$3T$4:00:00Z')) / 1000;
      const mac = /macAddress=([0-9A-F]{12})/.exec(f.path)![1];
      const minutes = doc.records.map((r) => r.time.slice(0, 16));
      expect(new Set(minutes).size).toBe(minutes.length);
      expect([...minutes].sort()).toEqual(minutes);
      for (const r of doc.records) {
        expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
        expect(r.macAddress).toBe(mac);
        if (f.format === 'azure-nsg') {
          expect(r.category).toBe('NetworkSecurityGroupFlowEvent');
          expect(r.properties.Version).toBe(2);
          expect(f.path).toContain(`resourceId=${r.resourceId}/`);
        } else {
          expect(r.category).toBe('FlowLogFlowEvent');
          expect(r.flowLogVersion).toBe(4);
          expect(r.flowLogResourceID).toMatch(/\/NETWORKWATCHERS\/NETWORKWATCHER_[A-Z]+\/FLOWLOGS\//);
          expect(r.targetResourceID).toMatch(/\/providers\/Microsoft\.Network\/virtualNetworks\//);
        }
      }
      const tuples = azureTuples(doc, f.format);
      expect(tuples.length, f.path).toBe(f.records);
      for (const t of tuples) {
        const m = (f.format === 'azure-nsg' ? NSG_TUPLE : VNET_TUPLE).exec(t);
        if (!m) { bad.push(`${f.path}: tuple syntax: ${t}`); continue; }
        const sec = f.format === 'azure-nsg' ? Number(m[1]) : Number(m[1]) / 1000;
        if (sec < hourStart || sec >= hourStart + 3600) bad.push(`${f.path}: tuple outside its hour: ${t}`);
        if (isIP(m[2]!) !== 4 || isIP(m[3]!) !== 4) bad.push(`${f.path}: tuple address: ${t}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('CLI: exit 2 naming the flag on bad arguments, 0 on success', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await generateCommand([])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0] ?? err.mock.calls.at(0)?.[0])).toContain('--out');
      expect(await generateCommand(['--out', root, '--flows', 'many'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('--flows');
      expect(await generateCommand(['--out', root, '--start', 'soon'])).toBe(2);
      expect(await generateCommand(['--out', root, '--hours', '-1'])).toBe(2);
      expect(await generateCommand(['--out', root, '--nope'])).toBe(2);
      const dir = join(root, 'cli');
      expect(await generateCommand(['--out', dir, '--flows', '3000', '--hours', '2', '--start', '2026-01-05T10:00:00Z', '--junk', '3'])).toBe(0);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toMatch(/generated 3000 records/);
      const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as GenerateSummary;
      expect(manifest.records).toBe(3000);
      expect(manifest.junk).toBe(3);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});
