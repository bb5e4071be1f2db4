/** Who the target talked with, by bytes both ways, with what the enrichment knows about each peer. */
import type { FlowStore } from '../store/store.js';
import { plain, type Scoped } from './target-flows.js';

export interface Peer {
  peer: string; owner: string | null; service: string | null; class: string | null; segment: string | null;
  flows: number; bytes_out: number; bytes_in: number; bytes: number; denied: number;
}

export async function topPeers(store: FlowStore, tf: Scoped, limit: number): Promise<Peer[]> {
  const rows = await store.queryRows<Peer>(
    `SELECT ${plain('peer_addr')} AS peer, any(peer_owner) AS owner, any(peer_service) AS service, any(peer_class) AS class, any(peer_segment) AS segment,
       count() AS flows, sum(sent) AS bytes_out, sum(received) AS bytes_in, bytes_out + bytes_in AS bytes, countIf(action = 'REJECT') AS denied
     FROM (${tf.sql}) WHERE peer_addr IS NOT NULL
     GROUP BY peer_addr ORDER BY bytes DESC, flows DESC, peer LIMIT {top:UInt32}`, { ...tf.params, top: limit });
  return rows.map((r) => ({ ...r, flows: +r.flows, bytes_out: +r.bytes_out, bytes_in: +r.bytes_in, bytes: +r.bytes, denied: +r.denied }));
}
