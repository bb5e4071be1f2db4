/**
 * The per-target query reads a small part of the table, by the engine's own
 * account (EXPLAIN json = 1, indexes = 1): the window bounds the hour bucket
 * at the head of the sort key, an address's source side is a primary-key
 * range inside each hour, its destination side is cut by the bloom filter.
 * Enough rows per hour (~80k, ten granules) that pruning inside an hour shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { generate } from '../../generate/index.js';
import { ingestPath } from '../../pipeline/ingest.js';
import type { ChdbStore } from '../../store/chdb-store.js';
import { targetFlows, type Scoped } from '../target-flows.js';
import { resolveTarget } from '../target.js';
import type { TimeWindow } from '../time-window.js';

interface IndexStep { Type: string; Keys?: string[]; Name?: string; 'Initial Granules': number; 'Selected Granules': number }
interface PlanNode { 'Node Type': string; Indexes?: IndexStep[]; Plans?: PlanNode[] }

/** The ReadFromMergeTree steps of a query's plan, each with its index steps in order. */
async function reads(store: ChdbStore, q: Scoped): Promise<IndexStep[][]> {
  const [row] = await store.queryRows<{ explain: string }>(`EXPLAIN json = 1, indexes = 1 SELECT count() FROM (${q.sql})`, q.params);
  const out: IndexStep[][] = [];
  const walk = (n: PlanNode) => { if (n['Node Type'] === 'ReadFromMergeTree') out.push(n.Indexes ?? []); n.Plans?.forEach(walk); };
  for (const p of JSON.parse(row!.explain) as { Plan: PlanNode }[]) walk(p.Plan);
  return out;
}
const selected = (steps: IndexStep[]) => steps[steps.length - 1]!['Selected Granules'];

const dir = mkdtempSync(join(tmpdir(), 'flowlog-explain-'));
const start = new Date('2026-11-01T00:00:00Z');
const w: TimeWindow = { since: new Date('2026-11-01T02:00:00Z'), until: new Date('2026-11-01T03:00:00Z') };
beforeAll(() => generate({ out: dir, flows: 240_000, seed: 7, start, hours: 3 }), 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('investigate query plan', () => {
  it('reads the target hour only, and within it the address key range and bloom-filtered granules', async () => {
    await withStore(async (store) => {
      await ingestPath(store, dir);
      const [busy] = await store.queryRows<{ ip: string }>(
        "SELECT replaceOne(toString(src_addr), '::ffff:', '') AS ip FROM flows WHERE start_time >= '2026-11-01 02:00:00' AND src_addr IS NOT NULL GROUP BY src_addr ORDER BY count() DESC LIMIT 1");
      const [src, dst] = await reads(store, targetFlows(await resolveTarget(store, busy!.ip, w), w));
      const table = src![0]!['Initial Granules'];
      expect(table).toBeGreaterThanOrEqual(25);
      const pk = src!.find((s) => s.Type === 'PrimaryKey')!;
      expect(pk.Keys).toEqual(expect.arrayContaining(['toStartOfHour(start_time)', 'src_addr']));
      // one hour of three, and one address's key range inside it
      expect(selected(src!)).toBeLessThanOrEqual(Math.ceil(table / 10));
      expect(dst!.find((s) => s.Type === 'Skip')).toMatchObject({ Name: 'dst_addr_bf' });
      expect(selected(dst!)).toBeLessThan(Math.ceil(table / 3) + 2);

      // an owner has no key column: the window's hour bounds are what prune
      const owner = await reads(store, targetFlows({ kind: 'owner', input: 'owner:x', value: 'x', ranges: [], interpretation: '', notes: [] }, w));
      for (const steps of owner) expect(selected(steps)).toBeLessThan(Math.ceil(table / 3) + 2);
    });
  });
});
