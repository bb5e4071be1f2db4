/** store.retention_days becomes the flows table's TTL when migrations run, and only changes it when it differs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../resolve.js';
import { openStore } from '../../store/open.js';
import { applyRetention } from '../../store/retention.js';
import type { ChdbStore } from '../../store/chdb-store.js';

describe('store.retention_days', () => {
  it('sets the flows TTL at migrate (FLOWLOG_RETENTION_DAYS), leaving it alone when unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-retention-'));
    const config = resolveConfig({ env: { FLOWLOG_DATA_DIR: dir, FLOWLOG_RETENTION_DAYS: '30' } });
    const store = await openStore({ config }) as ChdbStore;
    try {
      const ttl = async () => (await store.queryRows<{ e: string }>("SELECT engine_full AS e FROM system.tables WHERE database = currentDatabase() AND name = 'flows'"))[0]!.e;
      expect(await ttl()).toContain('TTL toDateTime(start_time) + toIntervalDay(30)');
      const target = { exec: (sql: string) => store.exec(sql), queryRows: <T>(sql: string) => store.queryRows<T>(sql) };
      expect(await applyRetention(target, 30)).toBe(false);
      expect(await applyRetention(target, 7)).toBe(true);
      expect(await ttl()).toContain('toIntervalDay(7)');
    } finally { await store.close(); }
  });
});
