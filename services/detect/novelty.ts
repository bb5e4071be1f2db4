/**
 * New destination and unusual port: a workload (internal source address) that
 * has history, doing something its history never shows, above a volume floor.
 * A destination is its cloud service when it has one (S3 is S3 whatever the
 * address), else its /24 (IPv4, dotted: 80.158.47.0/24) or /48 (IPv6); and it must be new for the
 * workload's owner as well (what the team's other workloads routinely use is
 * not news). Workloads without history are
 * new workloads, not anomalies, and are left alone. The set logic runs in the
 * engine: the recent window anti-joined with the history window.
 */
import type { FlowStore } from '../store/store.js';
import type { Finding, Severity } from './finding.js';
import { chTime, sqlString, sqlTime, flowWindow } from './sql-text.js';
import { fromChTime } from '../store/ch-time.js';

export interface NoveltyParams {
  windowMinutes: number;
  historyDays: number;
  /** The workload must have been seen this many distinct hours in its history. */
  minHistoryHours: number;
  newDestMinBytes: number;
  newPortMinFlows: number;
}

export const NOVELTY_DEFAULTS: NoveltyParams = { windowMinutes: 60, historyDays: 7, minHistoryHours: 12, newDestMinBytes: 50e6, newPortMinFlows: 20 };

const WORKLOAD = "replaceOne(toString(src_addr), '::ffff:', '')";
const DEST = "if(dst_service IS NOT NULL, concat('service:', dst_service), if(isIPv4String(replaceOne(toString(dst_addr), '::ffff:', '')), concat(replaceOne(cutIPv6(assumeNotNull(dst_addr), 0, 1), '::ffff:', ''), '/24'), concat(cutIPv6(assumeNotNull(dst_addr), 10, 0), '/48')))";

export async function detectNovelty(store: FlowStore, now: Date, params: Partial<NoveltyParams> = {}): Promise<{ destinations: Finding[]; ports: Finding[] }> {
  const p = { ...NOVELTY_DEFAULTS, ...params };
  const to = now, from = new Date(now.getTime() - p.windowMinutes * 60_000), hist = new Date(from.getTime() - p.historyDays * 86_400_000);
  const bind = { from: chTime(from), to: chTime(to), hist: chTime(hist), minHours: p.minHistoryHours };
  // Only a workload over a floor in the recent window can be a finding, and a recent window holds
  // few of them: the week of history is read for those workloads alone (the sort key's second
  // column is src_addr, so the engine skips the others' granules). Each set is a superset of the
  // findings' workloads (the floor over all its destinations or ports), so no finding changes.
  const established = (candidates: string) => `SELECT src_addr FROM flows WHERE ${flowWindow('hist', 'from')} AND src_is_internal = 1
    AND src_addr IN (${candidates}) GROUP BY src_addr HAVING uniqExact(toStartOfHour(start_time)) >= {minHours:UInt32}`;
  const heavy = `SELECT src_addr FROM flows WHERE ${flowWindow('from', 'to')} AND egress = 1 AND action = 'ACCEPT'
    GROUP BY src_addr HAVING sum(bytes) >= {minBytes:UInt64}`;
  const busy = `SELECT src_addr, dst_port, protocol FROM flows WHERE ${flowWindow('from', 'to')} AND action = 'ACCEPT' AND dst_port IS NOT NULL AND dst_port < 32768
    GROUP BY src_addr, dst_port, protocol HAVING count() >= {minFlows:UInt32}`;
  const dests = await store.queryRows<{ w: string; d: string; owner: string; b: number; f: number; first: string; last: string }>(
    `SELECT ${WORKLOAD} AS w, ${DEST} AS d, any(ifNull(src_owner, '')) AS owner, sum(bytes) AS b, count() AS f, toString(min(start_time)) AS first, toString(max(end_time)) AS last
     FROM flows WHERE ${flowWindow('from', 'to')} AND egress = 1 AND action = 'ACCEPT' AND src_addr IN (${established(heavy)})
     GROUP BY w, d HAVING b >= {minBytes:UInt64} AND (w, d) NOT IN (
       SELECT ${WORKLOAD}, ${DEST} FROM flows WHERE ${flowWindow('hist', 'from')} AND egress = 1 AND src_addr IN (${heavy}) GROUP BY 1, 2)
       -- new for its owner too: a service the team's other workloads use (the backups' S3) is routine, not new
       AND (owner, d) NOT IN (
       SELECT ifNull(src_owner, ''), ${DEST} FROM flows WHERE ${flowWindow('hist', 'from')} AND egress = 1 AND src_owner IS NOT NULL
         AND src_owner IN (SELECT src_owner FROM flows WHERE ${flowWindow('from', 'to')} AND src_addr IN (${heavy})) GROUP BY 1, 2)
     ORDER BY b DESC, w, d LIMIT 200`, { ...bind, minBytes: Math.round(p.newDestMinBytes) });
  // One pass over the busy workloads' week gives both their active hours and which of their busy
  // (port, protocol) pairs they used: they carry most of the history's rows, and reading them twice
  // (hours, then ports) was two thirds of the detector's time.
  const ports = await store.queryRows<{ w: string; port: number; proto: number; owner: string; b: number; f: number; peers: number; first: string; last: string }>(
    `SELECT ${WORKLOAD} AS w, port, proto, owner, b, f, peers, first, last FROM (
       SELECT src_addr, dst_port AS port, protocol AS proto, any(ifNull(src_owner, '')) AS owner, sum(bytes) AS b, count() AS f, uniqExact(dst_addr) AS peers,
         toString(min(start_time)) AS first, toString(max(end_time)) AS last
       FROM flows WHERE ${flowWindow('from', 'to')} AND action = 'ACCEPT' AND dst_port IS NOT NULL AND src_addr IN (SELECT src_addr FROM (${busy}))
         AND dst_port < 32768 -- ephemeral replies are not a port anyone chose
       GROUP BY src_addr, port, proto HAVING f >= {minFlows:UInt32}) AS recent
     INNER JOIN (
       SELECT src_addr, groupUniqArrayIf((dst_port, protocol), (src_addr, dst_port, protocol) IN (${busy})) AS used
       FROM flows WHERE ${flowWindow('hist', 'from')} AND src_addr IN (SELECT src_addr FROM (${busy}))
       GROUP BY src_addr HAVING uniqExactIf(toStartOfHour(start_time), src_is_internal = 1) >= {minHours:UInt32}) AS history USING (src_addr)
     WHERE NOT has(used, (port, proto))
     ORDER BY f DESC, w, port, proto LIMIT 200`, { ...bind, minFlows: p.newPortMinFlows });
  const t = fromChTime;
  const sev = (x: number, hi: number): Severity => (x >= hi * 20 ? 'high' : x >= hi * 4 ? 'medium' : 'low');
  return {
    destinations: dests.map((r) => ({
      detector: 'new_destination', entity: `${r.w}->${r.d}`, owner: r.owner || null, windowStart: from, windowEnd: to,
      severity: sev(Number(r.b), p.newDestMinBytes), score: +(Number(r.b) / p.newDestMinBytes).toFixed(2), observed: Number(r.b), expected: 0, unit: 'bytes',
      summary: `new destination: ${r.w}${r.owner ? ` (${r.owner})` : ''} sent ${(Number(r.b) / 1e6).toFixed(0)} MB to ${r.d}, never seen in its last ${p.historyDays} days`,
      evidence: { topFlows: [{ workload: r.w, destination: r.d, bytes: Number(r.b), flows: Number(r.f) }],
        sql: `SELECT * FROM flows WHERE start_time >= ${sqlTime(from)} AND start_time < ${sqlTime(to)} AND src_addr = toIPv6(${sqlString(r.w)}) AND ${DEST} = ${sqlString(r.d)} ORDER BY bytes DESC LIMIT 50` },
      firstSeen: t(r.first), lastSeen: t(r.last), status: 'open', labels: { destination: r.d },
    })),
    ports: ports.map((r) => ({
      detector: 'unusual_port', entity: `${r.w}:${r.proto}/${r.port}`, owner: r.owner || null, windowStart: from, windowEnd: to,
      severity: sev(Number(r.f), p.newPortMinFlows), score: +(Number(r.f) / p.newPortMinFlows).toFixed(2), observed: Number(r.f), expected: 0, unit: 'flows',
      summary: `unusual port: ${r.w}${r.owner ? ` (${r.owner})` : ''} opened ${r.f} flows to port ${r.port} (${Number(r.peers)} peers), a port it never used in ${p.historyDays} days`,
      evidence: { topFlows: [{ workload: r.w, port: Number(r.port), protocol: Number(r.proto), flows: Number(r.f), peers: Number(r.peers) }],
        sql: `SELECT * FROM flows WHERE start_time >= ${sqlTime(from)} AND start_time < ${sqlTime(to)} AND src_addr = toIPv6(${sqlString(r.w)}) AND dst_port = ${Number(r.port)} LIMIT 50` },
      firstSeen: t(r.first), lastSeen: t(r.last), status: 'open', labels: { port: String(r.port), protocol: String(r.proto) },
    })),
  };
}
