/**
 * What the network refused: to the target (inbound, someone probing it) and
 * from it (outbound: a misconfiguration, or a foothold looking around).
 */
import type { FlowStore } from '../store/store.js';
import { plain, type Scoped } from './target-flows.js';

export interface DeniedSection {
  flows: number; inbound: number; outbound: number;
  top_peers: { peer: string; direction: 'inbound' | 'outbound'; owner: string | null; class: string | null; flows: number; ports: number }[];
  /** The flows' destination port: the port the refused connection aimed at. */
  top_ports: { port: number | null; protocol: number | null; direction: 'inbound' | 'outbound'; flows: number; peers: number }[];
}

const DIRECTION = "if(side = 'src', 'outbound', 'inbound')";

export async function deniedOf(store: FlowStore, tf: Scoped, limit: number): Promise<DeniedSection> {
  const p = { ...tf.params, top: limit };
  const [c] = await store.queryRows<Record<string, number>>(
    `SELECT count() AS flows, countIf(side = 'dst') AS inbound, countIf(side = 'src') AS outbound FROM (${tf.sql}) WHERE action = 'REJECT'`, tf.params);
  const peers = await store.queryRows<DeniedSection['top_peers'][number]>(
    `SELECT ${plain('peer_addr')} AS peer, ${DIRECTION} AS direction, any(peer_owner) AS owner, any(peer_class) AS class, count() AS flows, uniqExact(dst_port) AS ports
     FROM (${tf.sql}) WHERE action = 'REJECT' AND peer_addr IS NOT NULL
     GROUP BY peer_addr, direction ORDER BY flows DESC, peer, direction LIMIT {top:UInt32}`, p);
  const ports = await store.queryRows<DeniedSection['top_ports'][number]>(
    `SELECT dst_port AS port, protocol, ${DIRECTION} AS direction, count() AS flows, uniqExact(peer_addr) AS peers
     FROM (${tf.sql}) WHERE action = 'REJECT'
     GROUP BY port, protocol, direction ORDER BY flows DESC, port, protocol, direction LIMIT {top:UInt32}`, p);
  return {
    flows: +c!.flows!, inbound: +c!.inbound!, outbound: +c!.outbound!,
    top_peers: peers.map((r) => ({ ...r, flows: +r.flows, ports: +r.ports })),
    top_ports: ports.map((r) => ({ ...r, port: r.port === null ? null : +r.port, protocol: r.protocol === null ? null : +r.protocol, flows: +r.flows, peers: +r.peers })),
  };
}
