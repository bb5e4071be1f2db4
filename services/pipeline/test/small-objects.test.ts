/**
 * Many small objects from a paged listing: they share batches (one insert and
 * one ledger write per batch, not per object), the listing is pulled only as
 * far as the read-ahead reaches, the ledger of a long history is read a page
 * at a time, and a re-run stores nothing twice.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { overriding } from '../../../test/store-overrides.js';
import { withStore } from '../../../test/temp-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { FlowStore } from '../../store/store.js';
import type { ObjectSource, SourceObjectRef } from '../../sources/source.js';
import { ingestObjects, type IngestProgress } from '../ingest.js';

const OBJECTS = 300, ROWS = 20, PAGE = 25, READ_AHEAD = 8;
const lines = benchLines(OBJECTS * ROWS, 5);
const bodies = Array.from({ length: OBJECTS }, (_, i) => gzipSync(`${HEADER}\n${lines.slice(i * ROWS, (i + 1) * ROWS).join('\n')}\n`));
const refs: SourceObjectRef[] = bodies.map((b, i) => ({ name: `obj-${String(i).padStart(4, '0')}`, identity: 'v1', size: b.length }));

function pagedSource(track: { pagesPulled: number; fetchedWhenPulled: number[]; fetched: number }): ObjectSource<SourceObjectRef> {
  return {
    kind: 'local', readAhead: READ_AHEAD,
    list: async function* () {
      for (let p = 0; p < OBJECTS / PAGE; p++) {
        track.pagesPulled++;
        track.fetchedWhenPulled.push(track.fetched);
        yield refs.slice(p * PAGE, (p + 1) * PAGE);
      }
    },
    fetch: async (o) => { track.fetched++; return bodies[Number(o.name.slice(4))]!; },
  };
}

const countingLedger = (store: FlowStore, writes: { n: number; entries: number }): FlowStore =>
  overriding(store, { recordLedger: async (e) => { writes.n++; writes.entries += e.length; return store.recordLedger(e); } });

describe('small objects', () => {
  it('fill shared batches, one ledger write per batch, listing pulled as it is needed; a re-run stores nothing', async () => {
    await withStore(async (store) => {
      const track = { pagesPulled: 0, fetchedWhenPulled: [] as number[], fetched: 0 };
      const writes = { n: 0, entries: 0 };
      const seen: IngestProgress[] = [];
      const s = await ingestObjects(countingLedger(store, writes), pagedSource(track), { capacity: 1000, onProgress: (p) => seen.push({ ...p }) });
      expect(s.rows).toBe(OBJECTS * ROWS);
      expect(s.objects).toBe(OBJECTS);
      // 6000 rows in batches of 1000: 6 inserts and 6 ledger writes for 300 objects, every object in the ledger once
      expect(writes.n).toBe(6);
      expect(writes.entries).toBeGreaterThanOrEqual(OBJECTS);
      expect(writes.entries).toBeLessThanOrEqual(OBJECTS + 6);
      // a page is listed only once the objects two pages before it are nearly all fetched (one page is asked for
      // ahead, so the totals are known as soon as the last page is in): never the whole listing up front
      track.fetchedWhenPulled.forEach((f, p) => expect(f).toBeGreaterThanOrEqual((p - 1) * PAGE - READ_AHEAD - 1));
      // the totals are the run's once listed, before the last page's objects are done, and never called whole before
      const total = refs.reduce((n, r) => n + r.size, 0);
      const first = seen.findIndex((p) => p.listed);
      expect(seen[first]!.objectsDone).toBeLessThan(OBJECTS - PAGE / 2);
      expect(seen.slice(first).every((p) => p.listed && p.objects === OBJECTS && p.bytes === total)).toBe(true);
      expect(seen.slice(0, first).every((p) => !p.listed && p.objects < OBJECTS)).toBe(true);
      expect(Number((await store.queryRows<{ c: string }>('SELECT count() AS c FROM flows'))[0]!.c)).toBe(OBJECTS * ROWS);
      const again = await ingestObjects(store, pagedSource({ pagesPulled: 0, fetchedWhenPulled: [], fetched: 0 }), { capacity: 1000 });
      expect(again.skipped).toBe(OBJECTS);
      expect(again.rows).toBe(0);
    });
  }, 60_000);

  it('reads the ledger whole when the kind holds few objects, else a page at a time: never a long history in memory', async () => {
    await withStore(async (store) => {
      const lookups: (readonly string[] | undefined)[] = [];
      const watched = overriding(store, { ledgerState: (kind, objects) => { lookups.push(objects); return store.ledgerState(kind, objects); } });
      const run = () => ingestObjects(watched, pagedSource({ pagesPulled: 0, fetchedWhenPulled: [], fetched: 0 }), { capacity: 1000 });
      expect((await run()).objects).toBe(OBJECTS);
      expect(lookups).toEqual([undefined]); // a fresh store: one read of the kind's (empty) ledger
      // a long history of other objects of the kind: past 50,000, the ledger is read for each page's objects only
      const history = Array.from({ length: 50_001 }, (_, i) => ({ sourceKind: 'local' as const, object: `old-${i}`, identity: 'v1', batchId: `old-${i}`,
        firstPosition: 0, lastPosition: 1, rows: 1, rejected: 0, complete: true }));
      await store.recordLedger(history);
      lookups.length = 0;
      expect((await run()).skipped).toBe(OBJECTS); // every object found stored, a page at a time
      expect(lookups).toHaveLength(OBJECTS / PAGE);
      for (const [i, names] of lookups.entries()) expect(names).toEqual(refs.slice(i * PAGE, (i + 1) * PAGE).map((r) => r.name));
    });
  }, 60_000);
});

