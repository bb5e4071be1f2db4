/**
 * A realistic ReportData: a day's window with yesterday as context, a
 * finding from every detector at every severity, six owners (one named like
 * an XSS payload, to prove that every renderer escapes), 48 hourly egress
 * points with baseline bands, a 6x6 segment matrix and top talkers.
 * Deterministic, so renderings can be compared with golden files.
 */
import type { DetectorName, Finding, FindingStatus, Severity } from '../../detect/finding.js';
import { assessCoverage, type HourCount } from '../coverage.js';
import type { ReportData, SeriesPoint } from '../report-data.js';

export const HOSTILE = '<script>alert(1)</script>';
export const OWNERS = ['payments', 'checkout', 'data-platform', 'identity', 'ml-training', HOSTILE] as const;
export const SEGMENTS = ['pci', 'prod', 'staging', 'dev', 'shared', 'dmz'] as const;

const SINCE = Date.parse('2026-05-01T06:00:00Z');
const UNTIL = Date.parse('2026-05-02T06:00:00Z');
const H = 3_600_000;
const GB = 1e9;

/** Small seeded generator: the same noise every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

function series(owner: string, i: number): SeriesPoint[] {
  const r = rng(i + 1);
  const base = [2.4, 1.1, 6.5, 0.4, 3.2, 0.8][i]! * GB / 24;
  return Array.from({ length: 48 }, (_, h) => {
    const t = SINCE - 24 * H + h * H;
    const hourOfDay = new Date(t).getUTCHours();
    const expected = base * (1 + 0.45 * Math.sin(((hourOfDay - 8) / 24) * 2 * Math.PI));
    let value = expected * (0.85 + 0.3 * r());
    if (owner === 'payments' && h >= 44) value = expected * 11; // the spike of the critical finding
    if (owner === 'data-platform' && h >= 40) value = expected * (1.3 + 0.12 * (h - 40)); // the ramp
    if (owner === 'ml-training' && h >= 45) value = expected * 6;
    // ml-training is new: its baseline learns during the first hours
    const learning = owner === 'ml-training' && h < 8;
    return { t: new Date(t).toISOString(), value: Math.round(value), baselineLow: learning ? null : Math.round(expected * 0.7), baselineHigh: learning ? null : Math.round(expected * 1.35) };
  });
}

interface Spec { detector: DetectorName; severity: Severity; owner: string | null; entity: string; summary: string; observed: number; expected: number | null; unit: string; hours: [number, number]; status?: FindingStatus; labels?: Record<string, string>; sql?: string; topFlows?: Record<string, unknown>[] }

const specs: Spec[] = [
  { detector: 'egress_spike', severity: 'critical', owner: 'payments', entity: 'owner=payments', observed: 48.2 * GB, expected: 3.1 * GB, unit: 'bytes', hours: [20, 24],
    summary: 'egress spike: owner payments sent 48.20 GB to the internet in 4 h, 15.5x its baseline of 3.10 GB', labels: { kind: 'owner', baseline: 'seasonal', hours: '4' },
    topFlows: [{ src: '10.1.4.21', dst: '198.51.100.7', dst_service: null, dst_port: 443, bytes: 31.4 * GB }, { src: '10.1.4.22', dst: '198.51.100.7', dst_service: null, dst_port: 443, bytes: 12.9 * GB }] },
  { detector: 'segmentation', severity: 'critical', owner: 'payments', entity: 'pci->dev:tcp/5432', observed: 214, expected: 0, unit: 'flows', hours: [2, 24],
    summary: 'segmentation breach: pci -> dev on tcp/5432 ACCEPTED 214 flows (policy: deny)', labels: { action: 'ACCEPT', policy: 'pci-isolation' } },
  { detector: 'egress_spike', severity: 'high', owner: 'ml-training', entity: 'owner=ml-training', observed: 9.6 * GB, expected: 1.4 * GB, unit: 'bytes', hours: [21, 24],
    summary: 'egress spike: owner ml-training sent 9.60 GB to the internet in 3 h, 6.9x its baseline of 1.40 GB (baseline still learning)', labels: { kind: 'owner', baseline: 'learning', hours: '3' } },
  { detector: 'new_destination', severity: 'high', owner: 'identity', entity: '10.20.3.14->203.0.113.50', observed: 2.3 * GB, expected: 0, unit: 'bytes', hours: [9, 13],
    summary: 'new destination: 10.20.3.14 (identity) sent 2300 MB to 203.0.113.50, never seen in its last 14 days', labels: { destination: '203.0.113.50' } },
  { detector: 'segmentation', severity: 'high', owner: 'identity', entity: 'dev->prod:tcp/22', observed: 1840, expected: 0, unit: 'flows', hours: [0, 24],
    summary: 'segmentation attempts: dev -> prod on tcp/22, 1,840 flows REJECTED from 3 sources', labels: { action: 'REJECT', policy: 'prod-admin' } },
  { detector: 'scan', severity: 'high', owner: null, entity: 'src=10.9.0.77', observed: 3921, expected: null, unit: 'flows', hours: [17, 18],
    summary: 'internal scan: 10.9.0.77 probed 412 ports on 38 hosts in 15 min, 3921 of 4210 flows denied (top ports 22, 3389, 445, 5432, 6379)', labels: { internal: 'yes' } },
  { detector: 'egress_ramp', severity: 'medium', owner: 'data-platform', entity: 'owner=data-platform', observed: 5.9 * GB, expected: 2.7 * GB, unit: 'bytes', hours: [16, 24],
    summary: 'slow egress ramp: owner data-platform sent 5.90 GB to the internet in 8 h, 2.2x its baseline of 2.70 GB', labels: { kind: 'owner', baseline: 'seasonal', hours: '8' } },
  { detector: 'unusual_port', severity: 'medium', owner: 'payments', entity: '10.1.4.30:6/4444', observed: 96, expected: 0, unit: 'flows', hours: [0, 24],
    summary: 'unusual port: 10.1.4.30 (payments) opened 96 flows to port 4444 (2 peers), a port it never used in 14 days', labels: { port: '4444', protocol: '6' } },
  { detector: 'new_destination', severity: 'medium', owner: 'checkout', entity: '10.30.1.9->api.stripe-mirror.example', observed: 410e6, expected: 0, unit: 'bytes', hours: [3, 5],
    summary: 'new destination: 10.30.1.9 (checkout) sent 410 MB to api.stripe-mirror.example, never seen in its last 14 days', labels: { destination: 'api.stripe-mirror.example' } },
  { detector: 'egress_ramp', severity: 'low', owner: 'checkout', entity: 'owner=checkout', observed: 1.9 * GB, expected: 1.2 * GB, unit: 'bytes', hours: [-6, 0], status: 'resolved',
    summary: 'slow egress ramp: owner checkout sent 1.90 GB to the internet in 6 h, 1.6x its baseline of 1.20 GB', labels: { kind: 'owner', baseline: 'seasonal', hours: '6' } },
  { detector: 'unusual_port', severity: 'low', owner: 'ml-training', entity: '10.40.2.5:6/8888', observed: 31, expected: 0, unit: 'flows', hours: [0, 24], status: 'suppressed',
    summary: 'unusual port: 10.40.2.5 (ml-training) opened 31 flows to port 8888 (1 peers), a port it never used in 14 days', labels: { port: '8888', protocol: '6', suppressed_by: 'jupyter-notebooks' } },
  { detector: 'new_destination', severity: 'info', owner: HOSTILE, entity: `10.66.6.6->"><img src=x onerror=alert(2)>`, observed: 12e6, expected: 0, unit: 'bytes', hours: [11, 12],
    summary: `new destination: 10.66.6.6 (${HOSTILE}) sent 12 MB to "><img src=x onerror=alert(2)>, never seen & new`,
    labels: { destination: '<b>bold</b>' },
    sql: "SELECT * FROM flows WHERE dst = '</code></pre><script>alert(3)</script>' AND note = 'a | b `tick` ```fence' LIMIT 50",
    topFlows: [{ workload: '10.66.6.6', destination: '<iframe src=javascript:alert(4)>', bytes: 12e6 }] },
];

function finding(s: Spec): Finding {
  const ws = new Date(SINCE + s.hours[0] * H), we = new Date(SINCE + s.hours[1] * H);
  return {
    detector: s.detector, entity: s.entity, owner: s.owner, windowStart: ws, windowEnd: we, severity: s.severity,
    score: +(s.expected ? s.observed / s.expected : Math.log10(s.observed + 1)).toFixed(2),
    observed: s.observed, expected: s.expected, unit: s.unit, summary: s.summary,
    evidence: {
      topFlows: s.topFlows ?? [],
      sql: s.sql ?? `SELECT src_addr, dst_addr, dst_port, sum(bytes) AS bytes, count() AS flows\nFROM flows WHERE start_time >= '${ws.toISOString().slice(0, 19).replace('T', ' ')}' AND start_time < '${we.toISOString().slice(0, 19).replace('T', ' ')}'\nGROUP BY src_addr, dst_addr, dst_port ORDER BY bytes DESC LIMIT 20`,
    },
    firstSeen: new Date(ws.getTime() - (s.detector === 'segmentation' ? 3 * 24 * H : 0)), lastSeen: we, status: s.status ?? 'open', labels: s.labels ?? {},
  };
}

function violations(): ReportData['violations'] {
  const r = rng(42);
  const hot: Record<string, [number, number]> = { 'pci>dev': [214, 9], 'dev>prod': [0, 1840], 'dev>pci': [3, 611], 'dmz>pci': [0, 97], 'staging>prod': [41, 120], 'dmz>prod': [7, 2300] };
  const cells = SEGMENTS.flatMap((from) => SEGMENTS.map((to) => {
    const flows = Math.round((from === to ? 400_000 : 20_000) * (0.2 + r()));
    const [breaches, attempts] = hot[`${from}>${to}`] ?? [0, 0];
    return { from, to, flows: flows + breaches + attempts, breaches, attempts };
  }));
  return { segments: [...SEGMENTS], cells };
}

function topTalkers(): ReportData['topTalkers'] {
  const rows: [string, string | null, number, number, number][] = [
    ['10.1.4.21', 'payments', 33.8 * GB, 52_113, 41], ['10.50.0.12', 'data-platform', 21.2 * GB, 812_004, 903], ['10.1.4.22', 'payments', 14.1 * GB, 31_877, 38],
    ['10.40.2.5', 'ml-training', 9.9 * GB, 4_410, 12], ['10.30.1.9', 'checkout', 4.2 * GB, 290_112, 1_204], ['10.20.3.14', 'identity', 2.6 * GB, 18_221, 77],
    ['10.66.6.6', HOSTILE, 1.1 * GB, 7_001, 9], ['10.9.0.77', null, 0.4 * GB, 4_210, 38], ['10.20.3.15', 'identity', 0.35 * GB, 11_300, 60], ['10.30.1.10', 'checkout', 0.2 * GB, 9_812, 140],
  ];
  return rows.map(([address, owner, bytes, flows, peers]) => ({ address, owner, bytes: Math.round(bytes), flows, peers }));
}

/** Two feeds, both sending every hour of the window. */
function coverage(): ReportData['coverage'] {
  const r = rng(7), counts: HourCount[] = [];
  for (const source of ['aws/vpc', 'azure/nsg']) {
    for (let h = SINCE; h < UNTIL; h += H) counts.push({ source, hour: h, flows: Math.round((source === 'aws/vpc' ? 1_800_000 : 200_000) * (0.8 + 0.4 * r())) });
  }
  const newest = new Date(UNTIL - 4 * 60_000);
  return assessCoverage({ since: new Date(SINCE), until: new Date(UNTIL), counts, known: [], newest: new Map([['aws/vpc', newest], ['azure/nsg', new Date(UNTIL - 9 * 60_000)]]), newestFlow: newest, totalFlows: 48_211_907 });
}

export function reportFixture(): ReportData {
  return {
    alert: null,
    coverage: coverage(),
    comparison: { since: new Date(SINCE - 24 * H).toISOString(), until: new Date(SINCE).toISOString(), label: 'Since yesterday' },
    title: 'flowlog anomaly report — prod-eu',
    generatedAt: new Date(UNTIL + 5 * 60_000).toISOString(),
    since: new Date(SINCE).toISOString(),
    until: new Date(UNTIL).toISOString(),
    totals: { flows: 48_211_907, bytes: Math.round(8.41e12), egressBytes: Math.round(131.7 * GB), deniedFlows: 312_480, owners: OWNERS.length },
    findings: specs.map(finding),
    changes: { newFindings: 7, resolved: 2, egressChangePct: 38.4, deniedChangePct: -4.2 },
    egress: OWNERS.map((owner, i) => ({ owner, points: series(owner, i) })),
    violations: violations(),
    topTalkers: topTalkers(),
  };
}

/** A quiet day: nothing found, nothing crossed segments. */
export function quietReportFixture(): ReportData {
  const d = reportFixture();
  return {
    ...d, totals: { ...d.totals, egressBytes: 0, deniedFlows: 0 }, findings: [], changes: { newFindings: 0, resolved: 0, egressChangePct: null, deniedChangePct: null },
    egress: [], violations: { segments: [], cells: [] }, topTalkers: [],
  };
}
