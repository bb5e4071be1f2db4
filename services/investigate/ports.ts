/**
 * The ports the target uses and serves. A flow log has no SYN-level notion of
 * who called whom, so the lower port of a flow is taken as the service port
 * (clients come from ephemeral ports): ports it connects to are the peers'
 * ports on flows it sent toward a port no higher than its own; listening ports
 * are its own ports on accepted flows it received from a higher port. Replies
 * are thereby not counted as connections a second time.
 */
import type { FlowStore } from '../store/store.js';
import type { Scoped } from './target-flows.js';

export interface PortUse { port: number; protocol: number | null; flows: number; peers: number; bytes: number; denied: number }
export interface PortsSection { connects_to: PortUse[]; listening: PortUse[] }

export const CONNECTS = "side = 'src' AND peer_port <= self_port";
export const LISTENS = "side = 'dst' AND action = 'ACCEPT' AND self_port <= peer_port";

async function ports(store: FlowStore, tf: Scoped, port: 'peer_port' | 'self_port', where: string, limit: number): Promise<PortUse[]> {
  const rows = await store.queryRows<PortUse>(
    `SELECT ${port} AS port, protocol, count() AS flows, uniqExact(peer_addr) AS peers, sum(sent + received) AS bytes, countIf(action = 'REJECT') AS denied
     FROM (${tf.sql}) WHERE ${where} GROUP BY port, protocol ORDER BY flows DESC, port, protocol LIMIT {top:UInt32}`, { ...tf.params, top: limit });
  return rows.map((r) => ({ port: +r.port, protocol: r.protocol === null ? null : +r.protocol, flows: +r.flows, peers: +r.peers, bytes: +r.bytes, denied: +r.denied }));
}

export async function portsOf(store: FlowStore, tf: Scoped, limit: number): Promise<PortsSection> {
  return { connects_to: await ports(store, tf, 'peer_port', CONNECTS, limit), listening: await ports(store, tf, 'self_port', LISTENS, limit) };
}
