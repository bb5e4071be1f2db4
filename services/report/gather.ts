/**
 * ReportData from the store, for a window [since, until): totals, the
 * findings (open, or seen in the window), what changed against the window
 * before it, egress per owner with its baseline band (median and MAD of the
 * same hour on the 7 days before), the segment matrix, and top talkers.
 * Every query is bounded by time on the tables' sort keys or the rollups.
 */
import { SEVERITIES, type Finding } from '../detect/finding.js';
import { mad, median } from '../detect/robust.js';
import { chTime, flowWindow } from '../detect/sql-text.js';
import { fromChTime } from '../store/ch-time.js';
import type { FlowStore } from '../store/store.js';
import { assessCoverage, coverageAlert, type Coverage } from './coverage.js';
import { comparisonLabel } from './format.js';
import type { ReportData, SeriesPoint } from './report-data.js';

const H = 3_600_000;
const ADDR = (c: string) => `replaceOne(toString(${c}), '::ffff:', '')`;
const pct = (now: number, before: number) => (before > 0 ? ((now - before) / before) * 100 : null);

async function totals(store: FlowStore, since: Date, until: Date) {
  // (aliases never reuse a column's name: ClickHouse would resolve the column to the alias)
  const [t] = await store.queryRows<{ n_flows: number; n_bytes: number; n_egress: number; n_denied: number; n_owners: number }>(
    `SELECT count() AS n_flows, sum(ifNull(bytes, 0)) AS n_bytes, sumIf(ifNull(bytes, 0), egress = 1) AS n_egress, countIf(action = 'REJECT') AS n_denied, uniqExact(src_owner) AS n_owners
     FROM flows WHERE ${flowWindow('s', 'u')}`, { s: chTime(since), u: chTime(until) });
  return { flows: Number(t!.n_flows), bytes: Number(t!.n_bytes), egressBytes: Number(t!.n_egress), deniedFlows: Number(t!.n_denied), owners: Number(t!.n_owners) };
}

async function findings(store: FlowStore, since: Date, until: Date): Promise<Finding[]> {
  const rows = await store.queryRows<Record<string, string | number | null>>(
    `SELECT detector, entity, owner, toString(window_start) AS ws, toString(window_end) AS we, severity, score, observed, expected, unit, summary, top_flows, evidence_sql,
       toString(first_seen) AS fs, toString(last_seen) AS ls, status, labels
     FROM anomalies_current WHERE (status = 'open' OR last_seen >= {s:DateTime64(3)}) AND first_seen < {u:DateTime64(3)}
     ORDER BY indexOf({sev:Array(String)}, severity) DESC, last_seen DESC LIMIT 200`, { s: chTime(since), u: chTime(until), sev: [...SEVERITIES] });
  const t = (x: unknown) => fromChTime(String(x));
  return rows.map((r) => ({
    detector: r.detector as Finding['detector'], entity: String(r.entity), owner: r.owner ? String(r.owner) : null, windowStart: t(r.ws), windowEnd: t(r.we),
    severity: r.severity as Finding['severity'], score: Number(r.score), observed: Number(r.observed), expected: r.expected === null ? null : Number(r.expected), unit: String(r.unit),
    summary: String(r.summary), evidence: { topFlows: JSON.parse(String(r.top_flows || '[]')) as Record<string, unknown>[], sql: String(r.evidence_sql) },
    firstSeen: t(r.fs), lastSeen: t(r.ls), status: r.status as Finding['status'], labels: (r.labels ?? {}) as unknown as Record<string, string>,
  }));
}

async function egress(store: FlowStore, since: Date, until: Date): Promise<ReportData['egress']> {
  const rows = await store.queryRows<{ o: string; h: number; b: number }>(
    `SELECT owner AS o, toUnixTimestamp(hour) * 1000 AS h, sum(bytes) AS b FROM egress_1h
     WHERE hour >= fromUnixTimestamp64Milli({from:Int64}) AND hour < fromUnixTimestamp64Milli({to:Int64}) AND owner != '' GROUP BY o, h`,
    { from: Math.floor(since.getTime() / H) * H - 7 * 24 * H, to: until.getTime() });
  const byOwner = new Map<string, Map<number, number>>();
  for (const r of rows) {
    let m = byOwner.get(r.o);
    if (!m) byOwner.set(r.o, (m = new Map()));
    m.set(Number(r.h), Number(r.b));
  }
  const hours: number[] = [];
  for (let h = Math.floor(since.getTime() / H) * H; h < until.getTime(); h += H) hours.push(h);
  const inWindow = (m: Map<number, number>) => hours.reduce((a, h) => a + (m.get(h) ?? 0), 0);
  return [...byOwner].sort((a, b) => inWindow(b[1]) - inWindow(a[1])).slice(0, 6).map(([owner, m]) => ({
    owner,
    points: hours.map((h): SeriesPoint => {
      const past = Array.from({ length: 7 }, (_, k) => m.get(h - (k + 1) * 24 * H) ?? 0);
      const c = median(past), s = mad(past, c);
      return { t: new Date(h).toISOString(), value: m.get(h) ?? 0, baselineLow: Math.max(0, c - 2 * s), baselineHigh: c + 2 * s };
    }),
  }));
}

async function violations(store: FlowStore, since: Date, until: Date): Promise<ReportData['violations']> {
  const b = { s: chTime(since), u: chTime(until) };
  let cells = (await store.queryRows<{ f: string; t: string; breaches: number; attempts: number }>(
    `SELECT src_segment AS f, dst_segment AS t, countIf(kind = 'breach') AS breaches, countIf(kind = 'attempt') AS attempts
     FROM policy_violations WHERE time >= {s:DateTime64(3)} AND time < {u:DateTime64(3)} GROUP BY f, t`, b))
    .map((c) => ({ from: c.f, to: c.t, flows: Number(c.breaches) + Number(c.attempts), breaches: Number(c.breaches), attempts: Number(c.attempts) }));
  if (cells.length === 0) {
    // no policy yet: show how the IPAM segments talk, with what the network refused
    cells = (await store.queryRows<{ f: string; t: string; n: number; denied: number }>(
      `SELECT src_segment AS f, dst_segment AS t, count() AS n, countIf(action = 'REJECT') AS denied FROM flows
       WHERE ${flowWindow('s', 'u')} AND src_segment IS NOT NULL AND dst_segment IS NOT NULL GROUP BY f, t`, b))
      .map((c) => ({ from: c.f, to: c.t, flows: Number(c.n), breaches: 0, attempts: Number(c.denied) }));
  }
  const segments = [...new Set(cells.flatMap((c) => [c.from, c.to]))].sort();
  return { segments, cells };
}

async function topTalkers(store: FlowStore, since: Date, until: Date): Promise<ReportData['topTalkers']> {
  const rows = await store.queryRows<{ a: string; o: string | null; b: number; f: number; p: number }>(
    `SELECT ${ADDR('src_addr')} AS a, any(src_owner) AS o, sum(ifNull(bytes, 0)) AS b, count() AS f, uniqExact(dst_addr) AS p FROM flows
     WHERE ${flowWindow('s', 'u')} AND src_addr IS NOT NULL GROUP BY src_addr ORDER BY b DESC LIMIT 10`,
    { s: chTime(since), u: chTime(until) });
  return rows.map((r) => ({ address: r.a, owner: r.o, bytes: Number(r.b), flows: Number(r.f), peers: Number(r.p) }));
}

const SOURCE = "concat(provider, '/', log_type)";

/** Flows per source per hour from the rollup; the sources of the window before count as known, so a feed silent all window shows. */
async function coverage(store: FlowStore, since: Date, before: Date, until: Date, totalFlows: number): Promise<Coverage> {
  const counts = (await store.queryRows<{ s: string; h: number; n: number }>(
    `SELECT ${SOURCE} AS s, toUnixTimestamp(toStartOfHour(minute)) * 1000 AS h, sum(flows) AS n FROM flows_1m
     WHERE minute >= toStartOfMinute({s:DateTime64(3)}) AND minute < {u:DateTime64(3)} GROUP BY s, h`, { s: chTime(since), u: chTime(until) }))
    .map((r) => ({ source: r.s, hour: Number(r.h), flows: Number(r.n) }));
  const known = (await store.queryRows<{ s: string }>(
    `SELECT DISTINCT ${SOURCE} AS s FROM flows_1m WHERE minute >= toStartOfMinute({b:DateTime64(3)}) AND minute < {u:DateTime64(3)}`, { b: chTime(before), u: chTime(until) })).map((r) => r.s);
  const newest = new Map((await store.queryRows<{ s: string; t: string }>(
    `SELECT ${SOURCE} AS s, toString(max(start_time)) AS t FROM flows WHERE ${flowWindow('s', 'u')} GROUP BY s`, { s: chTime(since), u: chTime(until) }))
    .map((r) => [r.s, fromChTime(r.t)]));
  const [last] = await store.queryRows<{ n: number; t: string }>(
    `SELECT count() AS n, toString(max(minute)) AS t FROM flows_1m WHERE minute >= {b:DateTime64(3)} AND minute < {u:DateTime64(3)}`,
    { b: chTime(new Date(until.getTime() - 30 * 24 * H)), u: chTime(until) });
  const newestInWindow = [...newest.values()].sort((a, b) => b.getTime() - a.getTime())[0];
  const newestFlow = newestInWindow ?? (last && Number(last.n) > 0 ? fromChTime(last.t) : null);
  return assessCoverage({ since, until, counts, known, newest, newestFlow, totalFlows });
}

export async function gatherReport(store: FlowStore, since: Date, until: Date, title = 'flowlog daily report'): Promise<ReportData> {
  const before = new Date(since.getTime() - (until.getTime() - since.getTime()));
  const [now, prev, fs] = [await totals(store, since, until), await totals(store, before, since), await findings(store, since, until)];
  const cov = await coverage(store, since, before, until, now.flows);
  return {
    alert: coverageAlert(cov, since.toISOString(), until.toISOString()),
    coverage: cov,
    comparison: { since: before.toISOString(), until: since.toISOString(), label: comparisonLabel(since, until) },
    title, generatedAt: new Date().toISOString(), since: since.toISOString(), until: until.toISOString(), totals: now, findings: fs,
    changes: {
      newFindings: fs.filter((f) => f.firstSeen >= since && f.status !== 'merged').length, // merged ones are part of another finding's incident
      resolved: fs.filter((f) => f.status === 'resolved').length,
      egressChangePct: pct(now.egressBytes, prev.egressBytes), deniedChangePct: pct(now.deniedFlows, prev.deniedFlows),
    },
    egress: await egress(store, since, until), violations: await violations(store, since, until), topTalkers: await topTalkers(store, since, until),
  };
}
