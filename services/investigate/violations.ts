/**
 * Segmentation policy decisions involving the target, from policy_violations
 * (ORDER BY time first, so the window bounds the read). The table keeps
 * addresses and owners but not services, so a service target is matched
 * through the addresses its flows show in the window.
 */
import type { FlowStore } from '../store/store.js';
import type { Scoped } from './target-flows.js';
import type { Target } from './target.js';
import { isoFromCh } from './time-window.js';

export interface ViolationGroup {
  direction: 'outbound' | 'inbound'; src_segment: string; dst_segment: string; kind: string; rule: string; decision: string;
  flows: number; bytes: number; peers: number; ports: number[]; last_seen: string;
}
export interface ViolationsSection { flows: number; breaches: number; attempts: number; groups: ViolationGroup[] }

/** A boolean on one side of a violation row: is this end the target? */
function sideMatch(t: Target, side: 'src' | 'dst', tf: Scoped): string {
  if (t.kind === 'owner') return `${side}_owner = {name:String}`;
  if (t.kind === 'service') return `${side}_addr IN (SELECT self_addr FROM (${tf.sql}))`;
  return `arrayExists((l, h) -> ifNull(${side}_addr >= l AND ${side}_addr <= h, false), {los:Array(IPv6)}, {his:Array(IPv6)})`;
}

export async function violationsOf(store: FlowStore, t: Target, tf: Scoped): Promise<ViolationsSection> {
  const params = { ...tf.params, los: t.ranges.map((r) => r.lo), his: t.ranges.map((r) => r.hi), name: t.value };
  const src = sideMatch(t, 'src', tf), dst = sideMatch(t, 'dst', tf);
  // like the flows: a violation inside the target counts once, as outbound
  const rows = await store.queryRows<ViolationGroup>(
    `SELECT if(${src}, 'outbound', 'inbound') AS direction, src_segment, dst_segment, kind, rule, decision,
       count() AS flows, sum(bytes) AS bytes, uniqExact(if(direction = 'outbound', dst_addr, src_addr)) AS peers,
       arraySort(groupUniqArray(10)(ifNull(dst_port, 0))) AS ports, toString(max(time)) AS last_seen
     FROM policy_violations
     WHERE time >= {since:DateTime64(3, 'UTC')} AND time < {until:DateTime64(3, 'UTC')} AND ((${src}) OR (${dst}))
     GROUP BY direction, src_segment, dst_segment, kind, rule, decision
     ORDER BY kind = 'breach' DESC, flows DESC`, params);
  const groups = rows.map((r) => ({ ...r, flows: +r.flows, bytes: +r.bytes, peers: +r.peers, ports: r.ports.map(Number), last_seen: isoFromCh(r.last_seen) }));
  const sum = (k?: string) => groups.filter((g) => !k || g.kind === k).reduce((a, g) => a + g.flows, 0);
  return { flows: sum(), breaches: sum('breach'), attempts: sum('attempt'), groups };
}
