/**
 * Reload under load: while objects are ingested into the embedded store, the
 * IPAM file flips between two versions and is reloaded (in a worker) over and
 * over; one reload is invalid and must be rejected with the old version kept.
 * Every stored flow must be enriched wholly by one version: all six columns
 * that come from the two lookups agree, never a mix from a half-built table.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { benchLines } from '../../bench/dataset.js';
import { ingestObjects, type ObjectSource, type SourceObjectRef } from '../../pipeline/ingest.js';
import { LiveEnricher, type ReloadOutcome } from '../live.js';

const OBJECTS = 120, LINES = 500;
const version = (v: string) => `prefixes:\n${['0.0.0.0/1', '128.0.0.0/1', '::/0'].map((c) => `  - { cidr: ${c}, owner: ${v}, segment: seg-${v}, env: env-${v} }`).join('\n')}\n`;

describe('IPAM reload under load', () => {
  it('swaps versions between batches, rejects an invalid one and keeps the old, never mixes', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-reload-'));
    const file = join(dir, 'ipam.yaml');
    writeFileSync(file, version('a'));
    const outcomes: ReloadOutcome[] = [];
    const live = await LiveEnricher.start({ files: [file], rules: [] }, { onReload: (o) => outcomes.push(o) });
    const versionA = live.version;
    const lines = benchLines(OBJECTS * LINES, 11);
    const objs: SourceObjectRef[] = Array.from({ length: OBJECTS }, (_, i) => ({ name: `obj-${String(i).padStart(4, '0')}`, identity: 'x', size: 1 }));
    // reload after every 10 objects: a, b, a, b, ... and once a broken file
    let fetched = 0;
    const reloads: Promise<unknown>[] = [];
    const source: ObjectSource<SourceObjectRef> = {
      kind: 'local', readAhead: 1,
      list: async function* () { yield objs; },
      fetch: async (o) => {
        const i = Number(o.name.slice(4));
        if (++fetched % 10 === 0) {
          const n = fetched / 10;
          // written aside and renamed, as config management does: a reader never sees a half-written file
          writeFileSync(`${file}.tmp`, n === 7 ? 'prefixes: [ { cidr: 10.0.0.0/8 \n' : version(n % 2 ? 'b' : 'a'));
          renameSync(`${file}.tmp`, file);
          const r = live.reloadNow();
          reloads.push(r);
          if (n === 3) { // however slow the machine, b is in use from here on
            expect(['loaded', 'unchanged']).toContain((await r).result);
            expect(live.version).not.toBe(versionA);
          }
          if (n === 7) { // the broken file must be the one read: wait for that build before writing the next
            await Promise.all(reloads.slice(0, -1)); // earlier builds still landing would change the version under us
            const before = live.version;
            expect(await r).toMatchObject({ result: 'rejected' });
            expect(live.version).toBe(before); // the old version stays in use
          }
        }
        return Buffer.from(lines.slice(i * LINES, (i + 1) * LINES).join('\n'));
      },
    };
    try {
      await withStore(async (store) => {
        const s = await ingestObjects(store, source, { enrich: live, capacity: 2000 });
        await Promise.all(reloads);
        expect(s.rows).toBe(OBJECTS * LINES);
        // (lines without addresses, NODATA, have no enrichment at all)
        const [mixed] = await store.queryRows<{ n: number; enriched: number }>(`SELECT countIf(NOT (
          ifNull(src_segment, '') = concat('seg-', ifNull(src_owner, '?')) AND ifNull(src_env, '') = concat('env-', ifNull(src_owner, '?'))
          AND ifNull(dst_owner, '') = ifNull(src_owner, '?') AND ifNull(dst_segment, '') = ifNull(src_segment, '?') AND ifNull(dst_env, '') = ifNull(src_env, '?'))) AS n,
          count() AS enriched FROM flows WHERE src_addr IS NOT NULL AND dst_addr IS NOT NULL`);
        expect(Number(mixed!.n)).toBe(0);
        expect(Number(mixed!.enriched)).toBeGreaterThan(OBJECTS * LINES * 0.9);
        const byVersion = await store.queryRows<{ o: string; n: number }>('SELECT src_owner AS o, count() AS n FROM flows WHERE src_addr IS NOT NULL GROUP BY o ORDER BY o');
        expect(byVersion.map((r) => r.o)).toEqual(['a', 'b']); // both versions were in use during the run
      });
      // (a build queued before the broken write may read it too: every rejection is that file's)
      const rejected = outcomes.filter((o) => o.result === 'rejected');
      expect(rejected.length).toBeGreaterThanOrEqual(1);
      for (const r of rejected) expect(r).toMatchObject({ error: expect.stringMatching(/ipam\.yaml: not valid YAML/) });
      expect(outcomes.filter((o) => o.result === 'loaded').length).toBeGreaterThanOrEqual(3); // the first, and swaps both ways
    } finally {
      live.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
