/**
 * Scans and denied-flow surges: one source touching many distinct ports or
 * hosts in a short window, mostly refused. An internal source doing it is
 * worse (a foothold looking around) than the internet's background noise.
 */
import type { FlowStore } from '../store/store.js';
import type { Finding, Severity } from './finding.js';
import { chTime, sqlString, sqlTime, flowWindow } from './sql-text.js';
import { fromChTime } from '../store/ch-time.js';

export interface ScanParams { windowMinutes: number; minPorts: number; minHosts: number; minDeniedShare: number }

export const SCAN_DEFAULTS: ScanParams = { windowMinutes: 15, minPorts: 25, minHosts: 40, minDeniedShare: 0.5 };

/** Scan episodes still open: entity ("src=1.2.3.4") to the episode's first flow, so a finding can give the episode's totals. */
export type OpenScans = ReadonlyMap<string, Date>;

export async function detectScans(store: FlowStore, now: Date, params: Partial<ScanParams> = {}, open: OpenScans = new Map()): Promise<Finding[]> {
  const p = { ...SCAN_DEFAULTS, ...params };
  const from = new Date(now.getTime() - p.windowMinutes * 60_000);
  const rows = await store.queryRows<{ s: string; owner: string; internal: number; ports: number; hosts: number; denied: number; f: number; first: string; last: string; top: string[] }>(
    `SELECT replaceOne(toString(src_addr), '::ffff:', '') AS s, any(ifNull(src_owner, '')) AS owner, max(ifNull(src_is_internal, 0)) AS internal,
       uniqExact(dst_port) AS ports, uniqExact(dst_addr) AS hosts, countIf(action = 'REJECT') AS denied, count() AS f,
       toString(min(start_time)) AS first, toString(max(end_time)) AS last, topK(5)(toString(dst_port)) AS top
     FROM flows WHERE ${flowWindow('from', 'to')} AND src_addr IS NOT NULL
     GROUP BY src_addr HAVING (ports >= {minPorts:UInt32} OR hosts >= {minHosts:UInt32}) AND denied >= {share:Float64} * f
     ORDER BY denied DESC LIMIT 200`,
    { from: chTime(from), to: chTime(now), minPorts: p.minPorts, minHosts: p.minHosts, share: p.minDeniedShare });
  const t = fromChTime;
  // an episode over several windows: its distinct ports and hosts from its first flow, not only this window's
  const totals = new Map<string, { ports: number; hosts: number; denied: number; f: number; since: Date }>();
  for (const r of rows) {
    const since = open.get(`src=${r.s}`);
    if (!since || since >= from) continue;
    const [x] = await store.queryRows<{ ports: number; hosts: number; denied: number; f: number }>(
      `SELECT uniqExact(dst_port) AS ports, uniqExact(dst_addr) AS hosts, countIf(action = 'REJECT') AS denied, count() AS f
       FROM flows WHERE ${flowWindow('since', 'to')} AND src_addr = toIPv6({s:String})`, { since: chTime(since), to: chTime(now), s: r.s });
    if (x) totals.set(r.s, { ports: Number(x.ports), hosts: Number(x.hosts), denied: Number(x.denied), f: Number(x.f), since });
  }
  const hhmm = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  return rows.map((r) => {
    const ports = Number(r.ports), hosts = Number(r.hosts);
    const ep = totals.get(r.s);
    const breadth = Math.max(ports / p.minPorts, hosts / p.minHosts);
    const severity: Severity = r.internal ? (breadth >= 4 ? 'critical' : 'high') : breadth >= 8 ? 'medium' : 'low';
    return {
      detector: 'scan' as const, entity: `src=${r.s}`, owner: r.owner || null, windowStart: from, windowEnd: now, severity, score: +breadth.toFixed(2),
      observed: Number(r.denied), expected: null, unit: 'flows',
      summary: `${r.internal ? 'internal' : 'external'} scan: ${r.s} probed ${ep ? `${ep.ports} ports on ${ep.hosts} hosts since ${hhmm(ep.since)} UTC (${ep.denied} of ${ep.f} flows denied); this window: ` : ''}`
        + `${ports} ports on ${hosts} hosts in ${p.windowMinutes} min, ${r.denied} of ${r.f} flows denied (top ports ${r.top.join(', ')})`,
      evidence: { topFlows: [{ source: r.s, ports, hosts, denied: Number(r.denied), flows: Number(r.f) }],
        sql: `SELECT dst_port, uniqExact(dst_addr) AS hosts, countIf(action = 'REJECT') AS denied, count() AS flows FROM flows\nWHERE start_time >= ${sqlTime(from)} AND start_time < ${sqlTime(now)} AND src_addr = toIPv6(${sqlString(r.s)})\nGROUP BY dst_port ORDER BY flows DESC` },
      firstSeen: t(r.first), lastSeen: t(r.last), status: 'open' as const,
      labels: { internal: r.internal ? 'yes' : 'no', episode_ports: String(ep?.ports ?? ports), episode_hosts: String(ep?.hosts ?? hosts) },
    };
  });
}
