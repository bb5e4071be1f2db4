/** A fresh embedded store in a temp folder, for one test at a time (the engine allows one data dir per process). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbStore } from '../services/store/chdb-store.js';

export async function withStore<T>(fn: (store: ChdbStore, dir: string) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-test-'));
  const store = new ChdbStore(dir);
  try {
    if (opts.migrate !== false) await store.migrate();
    return await fn(store, dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
