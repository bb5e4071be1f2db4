/**
 * The target's flows in the window, turned to face it: `self_*` is the
 * target's end, `peer_*` the other end, `sent`/`received` its bytes (Azure's
 * reverse counters included). Every section reads this subquery.
 *
 * Speed: flows is ORDER BY (toStartOfHour(start_time), src_addr, dst_addr,
 * start_time), so each branch bounds the hour bucket (hours outside the window
 * are skipped) and an address target's source branch is a primary-key range on
 * src_addr inside each hour. The destination side cannot use the key, so it is
 * a second branch (the dst_addr bloom filter serves a single address) rather
 * than an OR, which would turn the source side into a scan as well. An
 * interface is one branch on interface_id (its bloom filter).
 */
import type { Target } from './target.js';
import { chTime, type TimeWindow } from './time-window.js';

export interface Scoped { sql: string; params: Record<string, unknown> }

/**
 * The hour bounds look redundant but are what prunes: this engine does not
 * derive a range on the key's toStartOfHour(start_time) from a range on
 * start_time (EXPLAIN shows all granules selected without them), so the
 * bucket is bounded in the key's own expression.
 */
export const WINDOW = `toStartOfHour(start_time) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(start_time) <= toStartOfHour({until:DateTime64(3, 'UTC')})
  AND start_time >= {since:DateTime64(3, 'UTC')} AND start_time < {until:DateTime64(3, 'UTC')}`;
const ATTRS = ['owner', 'service', 'class', 'segment', 'env', 'vpc', 'subnet'] as const;

/** The columns, oriented by a SQL boolean that is true when the target is the flow's source. */
function oriented(isSrc: string): string {
  const pick = (s: string, d: string, as: string) => `if(${isSrc}, ${s}, ${d}) AS ${as}`;
  return [
    `if(${isSrc}, 'src', 'dst') AS side`, 'start_time', 'action', 'protocol', 'dst_port',
    pick('src_addr', 'dst_addr', 'self_addr'), pick('dst_addr', 'src_addr', 'peer_addr'),
    pick('src_port', 'dst_port', 'self_port'), pick('dst_port', 'src_port', 'peer_port'),
    pick('ifNull(bytes, 0)', 'ifNull(reverse_bytes, 0)', 'sent'), pick('ifNull(reverse_bytes, 0)', 'ifNull(bytes, 0)', 'received'),
    ...ATTRS.flatMap((a) => [pick(`src_${a}`, `dst_${a}`, `self_${a}`), pick(`dst_${a}`, `src_${a}`, `peer_${a}`)]),
  ].join(', ');
}

/** A boolean on one side's columns: is this end the target? */
function sideMatch(t: Target, side: 'src' | 'dst'): string {
  switch (t.kind) {
    case 'ip': return `${side}_addr = {lo:IPv6}`;
    case 'cidr': return `${side}_addr >= {lo:IPv6} AND ${side}_addr <= {hi:IPv6}`;
    case 'owner': return `${side}_owner = {name:String}`;
    case 'service': return `${side}_service = {name:String}`;
    case 'eni': return `arrayExists((l, h) -> ifNull(${side}_addr >= l AND ${side}_addr <= h, false), {los:Array(IPv6)}, {his:Array(IPv6)})`;
  }
}

export function windowParams(w: TimeWindow): Record<string, string> {
  return { since: chTime(w.since), until: chTime(w.until) };
}

export function targetParams(t: Target, w: TimeWindow): Record<string, unknown> {
  const p: Record<string, unknown> = windowParams(w);
  if (t.kind === 'ip' || t.kind === 'cidr') { p.lo = t.ranges[0]!.lo; p.hi = t.ranges[0]!.hi; }
  if (t.kind === 'owner' || t.kind === 'service') p.name = t.value;
  if (t.kind === 'eni') { p.eni = t.value; p.los = t.ranges.map((r) => r.lo); p.his = t.ranges.map((r) => r.hi); }
  return p;
}

export function targetFlows(t: Target, w: TimeWindow): Scoped {
  const params = targetParams(t, w);
  if (t.kind === 'eni') {
    // what the interface logged, each flow once; its own address says which way it went
    return { sql: `SELECT ${oriented(sideMatch(t, 'src'))} FROM flows WHERE ${WINDOW} AND interface_id = {eni:String}`, params };
  }
  const src = sideMatch(t, 'src');
  const sql = `SELECT ${oriented('1')} FROM flows WHERE ${WINDOW} AND ${src}
    UNION ALL
    SELECT ${oriented('0')} FROM flows WHERE ${WINDOW} AND ${sideMatch(t, 'dst')} AND NOT ifNull(${src}, false)`;
  return { sql, params };
}

/** An address as people write it: dotted IPv4 rather than the stored mapped form. */
export const plain = (col: string): string => `replaceOne(toString(${col}), '::ffff:', '')`;
