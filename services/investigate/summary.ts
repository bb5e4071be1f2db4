/**
 * The target at a glance: how much, which way, when, and what the enrichment
 * said about its end of the flows. The estate's totals come from the flows_1m
 * rollup (whole minutes), which answers them without reading raw flows.
 */
import type { FlowStore } from '../store/store.js';
import { plain, windowParams, type Scoped } from './target-flows.js';
import { isoFromCh, type TimeWindow } from './time-window.js';

const ATTRS = ['owner', 'service', 'class', 'segment', 'env', 'vpc', 'subnet'] as const;
type Attr = (typeof ATTRS)[number];

export interface Summary {
  flows: number; flows_sent: number; flows_received: number;
  bytes_out: number; bytes_in: number;
  accepted: number; denied: number;
  peers: number;
  /** Distinct addresses at the target's end: 1 for an address; how many were active for the others. */
  addresses: number;
  first_seen: string | null; last_seen: string | null;
  /** What the enrichment columns said about the target's end (distinct values, at most 5 each). */
  enrichment: Record<Attr, string[]>;
  /** Its busiest addresses (telling for a CIDR, owner, service or interface). */
  top_addresses: { address: string; flows: number }[];
  /** All flows in the window's whole minutes, and the target's share of them. */
  estate: { flows: number; bytes: number; share_of_flows: number | null };
}

const n = (v: unknown): number => Number(v ?? 0);

export async function summarize(store: FlowStore, tf: Scoped, w: TimeWindow): Promise<Summary> {
  const [r] = await store.queryRows<Record<string, unknown>>(
    `SELECT count() AS flows, countIf(side = 'src') AS flows_sent, countIf(side = 'dst') AS flows_received,
       sum(sent) AS bytes_out, sum(received) AS bytes_in, countIf(action = 'ACCEPT') AS accepted, countIf(action = 'REJECT') AS denied,
       uniqExact(peer_addr) AS peers, uniqExact(self_addr) AS addresses,
       toString(minOrNull(start_time)) AS first_seen, toString(maxOrNull(start_time)) AS last_seen,
       ${ATTRS.map((a) => `arraySort(groupUniqArray(5)(self_${a})) AS e_${a}`).join(', ')}
     FROM (${tf.sql})`, tf.params);
  const top = await store.queryRows<{ address: string; flows: number }>(
    `SELECT ${plain('self_addr')} AS address, count() AS flows FROM (${tf.sql}) WHERE self_addr IS NOT NULL
     GROUP BY self_addr ORDER BY flows DESC, address LIMIT 5`, tf.params);
  const [e] = await store.queryRows<{ f: unknown; b: unknown }>(
    `SELECT sum(flows) AS f, sum(bytes) AS b FROM flows_1m
     WHERE minute >= toStartOfMinute({since:DateTime64(3, 'UTC')}) AND minute < {until:DateTime64(3, 'UTC')}`, windowParams(w));
  const flows = n(r!.flows), estateFlows = n(e?.f);
  return {
    flows, flows_sent: n(r!.flows_sent), flows_received: n(r!.flows_received),
    bytes_out: n(r!.bytes_out), bytes_in: n(r!.bytes_in), accepted: n(r!.accepted), denied: n(r!.denied),
    peers: n(r!.peers), addresses: n(r!.addresses),
    first_seen: r!.first_seen ? isoFromCh(r!.first_seen as string) : null, last_seen: r!.last_seen ? isoFromCh(r!.last_seen as string) : null,
    enrichment: Object.fromEntries(ATTRS.map((a) => [a, r![`e_${a}`] as string[]])) as Record<Attr, string[]>,
    top_addresses: top.map((x) => ({ address: x.address, flows: n(x.flows) })),
    estate: { flows: estateFlows, bytes: n(e?.b), share_of_flows: estateFlows ? flows / estateFlows : null },
  };
}
