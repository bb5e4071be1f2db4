/**
 * The report's data gathered from a real store: totals against independent
 * counts, findings from the anomaly store, egress series with baselines per
 * owner, top talkers in order; then `flowlog report` writes all three files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recordRun } from '../../detect/anomaly-store.js';
import { openEnricher } from '../../enrich/open.js';
import { loadEnrichFile } from '../../enrich/settings.js';
import { generate } from '../../generate/index.js';
import { writeInventory } from '../../generate/inventory-writer.js';
import { ingestPath } from '../../pipeline/ingest.js';
import { ChdbStore } from '../../store/chdb-store.js';
import { gatherReport } from '../gather.js';

const BIN = fileURLToPath(new URL('../../../bin/flowlog.js', import.meta.url));

describe('report data', () => {
  it('gathers totals, findings, egress with baselines and top talkers; flowlog report writes the files', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-gather-'));
    const start = new Date('2026-11-01T00:00:00Z'), since = new Date('2026-11-08T00:00:00Z'), until = new Date('2026-11-09T00:00:00Z');
    try {
      await writeInventory(join(dir, 'ipam'), 42);
      await generate({ out: join(dir, 'flows'), flows: 60_000, seed: 42, start, hours: 8 * 24 });
      const store = new ChdbStore(join(dir, 'store'));
      try {
        await store.migrate();
        const enrich = await openEnricher(loadEnrichFile(join(dir, 'ipam', 'enrich.yaml')), { store });
        await ingestPath(store, join(dir, 'flows'), { enrich });
        enrich.stop();
        await recordRun(store, 'scan', [{
          detector: 'scan', entity: 'src=45.1.2.3', owner: null, windowStart: new Date('2026-11-08T03:00:00Z'), windowEnd: new Date('2026-11-08T03:15:00Z'), severity: 'medium', score: 2,
          observed: 400, expected: null, unit: 'flows', summary: 'external scan from 45.1.2.3', evidence: { topFlows: [], sql: 'SELECT 1' },
          firstSeen: new Date('2026-11-08T03:00:00Z'), lastSeen: new Date('2026-11-08T03:10:00Z'), status: 'open', labels: {},
        }], new Date('2026-11-08T03:15:00Z'));
        const d = await gatherReport(store, since, until);
        const [c] = await store.queryRows<{ n: number; e: number; r: number }>(
          "SELECT count() AS n, sumIf(bytes, egress = 1) AS e, countIf(action = 'REJECT') AS r FROM flows WHERE toDate(start_time) = '2026-11-08'");
        expect(d.totals).toMatchObject({ flows: Number(c!.n), egressBytes: Number(c!.e), deniedFlows: Number(c!.r) });
        expect(d.findings.map((f) => f.summary)).toEqual(['external scan from 45.1.2.3']);
        expect(d.changes.newFindings).toBe(1);
        expect(d.egress.length).toBeGreaterThan(2);
        for (const e of d.egress) {
          expect(e.points).toHaveLength(24);
          for (const p of e.points) expect(p.baselineHigh!).toBeGreaterThanOrEqual(p.baselineLow!);
        }
        expect(d.topTalkers.map((t) => t.bytes)).toEqual([...d.topTalkers.map((t) => t.bytes)].sort((a, b) => b - a));
        expect(d.violations.segments.length).toBeGreaterThan(1);
      } finally { await store.close(); }
      const r = spawnSync(process.execPath, [BIN, 'report', '--since', '24h', '--until', until.toISOString(), '--out', join(dir, 'out')],
        { encoding: 'utf8', env: { ...process.env, FLOWLOG_DATA_DIR: join(dir, 'store') } });
      expect(r.status, r.stderr).toBe(0);
      for (const f of ['report.html', 'report.md', 'report.json']) expect(existsSync(join(dir, 'out', 'latest', f)), f).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, 'out', 'latest', 'report.json'), 'utf8')).findings).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
