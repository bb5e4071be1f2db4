/**
 * Segmentation findings: the policy_violations the hot path recorded (each
 * flow a deny or alert rule decided, as it arrived), grouped per segment pair,
 * port and kind into one finding per window. An accepted flow a deny rule
 * forbids is a breach (high; critical in volume); a refused one an attempt
 * the network already stopped; observe-mode rows never become findings.
 * Flows to ephemeral ports are the replies of connections the other side
 * opened and are left out (flow logs record both directions); alert rules
 * raise a finding from 10 flows in the window, deny rules from the first.
 * Breaches are one finding per port; refused attempts one per segment pair
 * and window, with the ports they tried.
 */
import type { FlowStore } from '../store/store.js';
import type { Finding, Severity } from './finding.js';
import { chTime, sqlString, sqlTime } from './sql-text.js';
import { fromChTime } from '../store/ch-time.js';

const MIN_ALERT_FLOWS = 10;

/** breachesOnly: the minute runs (breach_schedule) look for breaches only; attempts wait for the regular runs, where a scan that caused them is seen too. */
export async function detectSegmentation(store: FlowStore, now: Date, windowMinutes = 15, opts: { breachesOnly?: boolean } = {}): Promise<Finding[]> {
  const from = new Date(now.getTime() - windowMinutes * 60_000);
  // a breach is per port (each is its own hole); attempts, already refused, are per segment pair (a scan across a boundary is one finding, not one per port)
  const rows = await store.queryRows<{ sf: string; df: string; port: number | null; proto: number | null; kind: string; decision: string; rule: string; n: number; b: number; owner: string; dst_owner: string; srcs: number; src1: string; ports: number; top: number[]; first: string; last: string; sample: string[] }>(
    `SELECT src_segment AS sf, dst_segment AS df, if(kind = 'attempt', NULL, dst_port) AS port, if(kind = 'attempt', NULL, protocol) AS proto, kind, any(decision) AS decision, any(rule) AS rule, count() AS n, sum(bytes) AS b,
       anyIf(src_owner, src_owner != '') AS owner, anyIf(dst_owner, dst_owner != '') AS dst_owner, uniqExact(src_addr) AS srcs, replaceOne(toString(any(src_addr)), '::ffff:', '') AS src1,
       uniqExact(dst_port) AS ports, topK(5)(assumeNotNull(dst_port)) AS top,
       toString(min(time)) AS first, toString(max(time)) AS last, groupUniqArray(3)(concat(replaceOne(toString(src_addr), '::ffff:', ''), ' -> ', replaceOne(toString(dst_addr), '::ffff:', ''))) AS sample
     FROM policy_violations WHERE time >= {from:DateTime64(3)} AND time < {to:DateTime64(3)} AND observe = 0
       AND ifNull(dst_port, 0) < 32768 -- to an ephemeral port: the reply half of a connection the other side opened
       ${opts.breachesOnly ? "AND kind = 'breach'" : ''}
     GROUP BY sf, df, port, proto, kind
     HAVING decision = 'deny' OR n >= {minAlert:UInt32} -- an alert rule asks for a look at patterns, not at every single flow
     ORDER BY n DESC LIMIT 500`, { from: chTime(from), to: chTime(now), minAlert: MIN_ALERT_FLOWS });
  const t = fromChTime;
  return rows.map((r) => {
    const breach = r.kind === 'breach', deny = r.decision === 'deny';
    const severity: Severity = breach && deny ? (Number(r.b) > 1e8 || Number(r.n) > 100 ? 'critical' : 'high') : breach ? 'medium' : deny ? 'low' : 'info';
    const what = breach ? (deny ? 'breach' : 'flagged traffic') : 'attempt';
    const port = r.port === null ? 'any' : `${r.proto ?? '?'}/${r.port}`;
    const ports = r.kind === 'attempt' && Number(r.ports) > 1 ? `${r.ports} ports (top ${r.top.join(', ')})` : r.kind === 'attempt' ? `port ${r.top[0] ?? 'any'}` : port;
    return {
      detector: 'segmentation' as const, entity: `${r.sf}->${r.df}:${port}:${r.kind}`, owner: r.owner || r.dst_owner || null,
      windowStart: from, windowEnd: now, severity, score: Number(r.n), observed: Number(r.n), expected: 0, unit: 'flows',
      summary: `segmentation ${what}: ${r.sf} -> ${r.df} on ${ports}, ${r.n} flow${Number(r.n) === 1 ? '' : 's'} from ${r.srcs} source${Number(r.srcs) === 1 ? '' : 's'} (rule ${r.rule}: ${r.decision}${breach ? ', the network ACCEPTed' : ', the network REJECTed'})`,
      evidence: {
        topFlows: r.sample.map((s) => ({ flow: s })),
        sql: `SELECT * FROM policy_violations WHERE time >= ${sqlTime(from)} AND time < ${sqlTime(now)} AND src_segment = ${sqlString(r.sf)} AND dst_segment = ${sqlString(r.df)}${r.port === null || r.kind === 'attempt' ? '' : ` AND dst_port = ${Number(r.port)}`} AND kind = ${sqlString(r.kind)} ORDER BY time LIMIT 100`,
      },
      firstSeen: t(r.first), lastSeen: t(r.last), status: 'open' as const, labels: { rule: r.rule, decision: r.decision, kind: r.kind, ...(Number(r.srcs) === 1 ? { source: r.src1 } : {}) },
    };
  });
}
