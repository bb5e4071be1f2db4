/**
 * What the IPAM in use (ipam_current, the latest loaded version) says about
 * the target, next to what the flows were enriched with at ingest: when the
 * two disagree, the IPAM changed since those flows arrived.
 */
import type { FlowStore } from '../store/store.js';
import type { Target } from './target.js';

export interface IpamEntry {
  prefix: string; name: string; owner: string; service: string; env: string; segment: string;
  vpc: string; subnet: string; region: string; account: string; eni: string; class: string; is_internal: number;
}
/** Entries overlapping the target (address, CIDR, interface), most specific first; or the ones naming the owner/service. */
export interface IpamSection { entries: IpamEntry[]; total: number }

const COLUMNS = 'prefix, name, owner, service, env, segment, vpc, subnet, region, account, eni, class, is_internal';
const LIMIT = 20;

export async function ipamFor(store: FlowStore, t: Target): Promise<IpamSection> {
  // a name's widest prefixes say most (its VPCs); for an address, the most specific entry decides
  const byName = t.kind === 'owner' || t.kind === 'service';
  let where: string;
  const params: Record<string, unknown> = {};
  if (byName) {
    where = `${t.kind} = {name:String}`;
    params.name = t.value;
  } else if (t.ranges.length === 0) {
    return { entries: [], total: 0 };
  } else {
    // a prefix's range in the mapped space, compared with the target's ranges: overlap either way
    where = `arrayExists((l, h) -> r.1 <= h AND r.2 >= l, {los:Array(IPv6)}, {his:Array(IPv6)})`;
    params.los = t.ranges.map((r) => r.lo);
    params.his = t.ranges.map((r) => r.hi);
  }
  const rows = await store.queryRows<IpamEntry & { total: number }>(
    `WITH splitByChar('/', prefix) AS p, toUInt8(toUInt8(p[2]) + if(isIPv4String(p[1]), 96, 0)) AS bits, IPv6CIDRToRange(toIPv6(p[1]), bits) AS r
     SELECT ${COLUMNS}, count() OVER () AS total FROM ipam_current WHERE ${where} AND p[2] != '0' -- the default routes (class public) say nothing about a target
     ORDER BY bits ${byName ? 'ASC' : 'DESC'}, prefix LIMIT ${LIMIT}`, params);
  return { entries: rows.map(({ total: _, ...e }) => ({ ...e, is_internal: Number(e.is_internal) })), total: Number(rows[0]?.total ?? 0) };
}
