/**
 * Test support: the shared ground of the multi-instance suites. A temporary
 * folder, the chdb-backed ClickHouse endpoint with the schema migrated, a
 * server store on it for the test's own reads, and an empty fleet of
 * `flowlog run` instances (test/run-instances.ts) to start against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChdbHttpServer, type ChdbHttpServer } from './clickhouse-http/server.js';
import { Instances } from './run-instances.js';
import { ClickHouseServerStore } from '../services/store/clickhouse-server-store.js';

export interface ServerFleet {
  dir: string;
  server: ChdbHttpServer;
  store: ClickHouseServerStore;
  fleet: Instances;
  /** Kills what is left of the fleet, then closes the store and the endpoint and removes the folder. */
  close(): Promise<void>;
}

export async function openServerFleet(prefix: string): Promise<ServerFleet> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const server = await startChdbHttpServer({ dataDir: join(dir, 'ch') });
  const store = new ClickHouseServerStore({ url: server.url, retry: { attempts: 5, baseMs: 100 } });
  await store.migrate();
  const fleet = new Instances({ dir });
  return {
    dir, server, store, fleet,
    close: async () => {
      await fleet.killAll();
      await store.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
