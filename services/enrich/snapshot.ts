/**
 * Writes the IPAM in use to ClickHouse (ipam_prefixes, one row per resolved
 * prefix per version) and reloads the ipam_trie dictionary over it. A version
 * already the latest is not written again, so restarts add nothing.
 */
import type { FlowStore } from '../store/store.js';
import { IPAM_ATTRIBUTES } from './ipam-record.js';
import type { IpamModel } from './model.js';
import { chTime } from '../store/ch-time.js';

export const SNAPSHOT_COLUMNS = ['version', 'loaded_at', 'prefix', 'sources', 'origins', ...IPAM_ATTRIBUTES, 'is_internal', 'tags'] as const;

/** The snapshot as JSON lines (built where the model is, e.g. in the reload worker, and handed over as bytes). */
export interface Snapshot { version: string; loadedAt: number; body: Buffer }

export function snapshotOf(model: IpamModel, loadedAt = new Date()): Snapshot {
  const at = chTime(loadedAt);
  const lines = model.entries.map((e) => JSON.stringify({
    version: model.version, loaded_at: at, prefix: e.cidr, sources: e.sources, origins: e.origins,
    ...Object.fromEntries(IPAM_ATTRIBUTES.map((a) => [a, e.attrs[a] ?? ''])),
    is_internal: e.internal ? 1 : 0, tags: e.tags,
  }));
  return { version: model.version, loadedAt: loadedAt.getTime(), body: Buffer.from(lines.join('\n')) };
}

/** Returns whether a new version was written. */
export async function writeSnapshot(store: FlowStore, snap: Snapshot): Promise<boolean> {
  const [latest] = await store.queryRows<{ version: string }>('SELECT version FROM ipam_prefixes ORDER BY loaded_at DESC LIMIT 1');
  if (latest?.version === snap.version) return false;
  await store.insertJsonLines('ipam_prefixes', SNAPSHOT_COLUMNS, snap.body, `ipam:${snap.version}:${snap.loadedAt}`);
  await store.queryRows('SYSTEM RELOAD DICTIONARY ipam_trie');
  return true;
}
