/** Opens the configured store: the embedded engine unless told otherwise. */
import { ChdbStore } from './chdb-store.js';
import type { FlowStore } from './store.js';

export const defaultDataDir = (): string => process.env.FLOWLOG_DATA_DIR ?? './.flowlog';

export async function openStore(opts: { dataDir?: string; migrate?: boolean } = {}): Promise<FlowStore> {
  const store = new ChdbStore(opts.dataDir ?? defaultDataDir());
  if (opts.migrate !== false) await store.migrate();
  return store;
}
