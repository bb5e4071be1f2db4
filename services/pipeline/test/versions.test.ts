/**
 * Objects that change under the same name, against the real embedded engine:
 * a replaced object is ingested as its new version, and a crash part-way
 * through that version resumes from the new version's progress, not the old
 * one's; an hourly Azure blob that grows by appending stores only its new
 * records each time it is seen.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { dyingStore } from '../../../test/dying-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { FlowStore } from '../../store/store.js';
import { ingestPath } from '../ingest.js';

const AZURE_GOLDEN = new URL('../../parse/azure/test/golden/', import.meta.url).pathname;
const dirs: string[] = [];
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'flowlog-versions-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const count = async (store: FlowStore, sql = 'SELECT count() AS n FROM flows') => Number((await store.queryRows<{ n: string }>(sql))[0]!.n);


describe('objects that change', () => {
  it('a replaced object is stored as its new version, and a crash in it resumes from the new version', async () => {
    const dir = tempDir();
    const file = join(dir, 'flows.log');
    writeFileSync(file, `${HEADER}\n${benchLines(5000, 81).join('\n')}\n`);
    await withStore(async (store) => {
      expect((await ingestPath(store, dir, { capacity: 1000 })).rows).toBe(5000);
      // replaced by different, shorter content; the run dies at its 2nd ledger write (batch 2 stored, the ledger says 1)
      writeFileSync(file, `${HEADER}\n${benchLines(3000, 82).join('\n')}\n`);
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      await expect(ingestPath(dyingStore(store, 2), dir, { capacity: 1000 })).rejects.toThrow(/simulated crash/);
      const resumed = await ingestPath(store, dir, { capacity: 1000 });
      expect(resumed.resumed).toBe(1);
      // every row of both versions once: the old version's progress (5000) must not stand for the new one's
      expect(await count(store)).toBe(8000);
    });
  });

  it('an hourly Azure blob that grows by appending stores only its new records', async () => {
    const golden = JSON.parse(readFileSync(join(AZURE_GOLDEN, 'nsg-v2.json'), 'utf8')) as { records: unknown[] };
    expect(golden.records.length).toBeGreaterThan(1);
    const dir = tempDir();
    const blobDir = join(dir, 'insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/X/y=2026/m=12/d=01/h=10/m=00/macAddress=000D3AF87856');
    mkdirSync(blobDir, { recursive: true });
    const blob = join(blobDir, 'PT1H.json');
    const whole = await withStore(async (store) => {
      writeFileSync(blob, JSON.stringify(golden));
      return (await ingestPath(store, dir)).rows;
    });
    await withStore(async (store) => {
      // the first minute's record, then the same blob with the next minute's appended
      writeFileSync(blob, JSON.stringify({ records: golden.records.slice(0, 1) }));
      const first = await ingestPath(store, dir);
      expect(first.rows).toBeGreaterThan(0);
      expect(first.rows).toBeLessThan(whole);
      writeFileSync(blob, JSON.stringify(golden));
      const second = await ingestPath(store, dir);
      expect(second.resumed).toBe(1);
      expect(second.rows).toBe(whole - first.rows);
      expect(await count(store)).toBe(whole);
      expect((await ingestPath(store, dir)).skipped).toBe(1);
    });
  });
});
