/**
 * close() waits for what the engine still runs: a query a caller abandoned
 * (its ingest failed, say) held the session, and a store opened at another
 * path right after was refused, since the engine binds one data directory
 * per process; the data directory's lock was released under it too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChdbStore } from '../chdb-store.js';

describe('closing the embedded store', () => {
  it('returns once a query still running has ended: a store at another path opens right after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-close-'));
    try {
      const first = new ChdbStore(join(dir, 'a'));
      // ~1 s in the engine, abandoned by its caller
      const running = first.queryRows('SELECT sum(sleepEachRow(0.05)) AS s FROM numbers(20)');
      let ended = false;
      void running.then(() => { ended = true; }, () => { ended = true; });
      await new Promise((r) => setTimeout(r, 100));
      await first.close();
      expect(ended).toBe(true);
      const second = new ChdbStore(join(dir, 'b'));
      expect(await second.queryRows<{ n: number }>('SELECT 1 AS n')).toEqual([{ n: 1 }]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
