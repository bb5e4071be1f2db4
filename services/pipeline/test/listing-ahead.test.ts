/**
 * The ingest asks for the next listing page while this page's objects go (so
 * the progress totals are whole as soon as the last page is in). That must not
 * change what a failing or unfinished listing does: a page that fails fails
 * the ingest when its turn comes, after the objects before it; a round
 * stopped early returns without waiting for the page asked for ahead, and its
 * summary counts only the objects it tried.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { overriding } from '../../../test/store-overrides.js';
import { withStore } from '../../../test/temp-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { ObjectSource, SourceObjectRef } from '../../sources/source.js';
import { ingestObjects } from '../ingest.js';

const PAGE = 10, ROWS = 5;
const lines = benchLines(8 * PAGE * ROWS, 9);
const bodies = Array.from({ length: 8 * PAGE }, (_, i) => gzipSync(`${HEADER}\n${lines.slice(i * ROWS, (i + 1) * ROWS).join('\n')}\n`));
const refs: SourceObjectRef[] = bodies.map((b, i) => ({ name: `obj-${String(i).padStart(4, '0')}`, identity: 'v1', size: b.length }));

/** Pages of PAGE objects; page `bad` fails, and page `never` never arrives. */
function source(opts: { bad?: number; never?: number }): ObjectSource<SourceObjectRef> {
  return {
    kind: 'local', readAhead: 4,
    list: async function* () {
      for (let p = 0; p * PAGE < refs.length; p++) {
        if (p === opts.bad) throw new Error(`listing page ${p} failed`);
        if (p === opts.never) await new Promise(() => undefined);
        yield refs.slice(p * PAGE, (p + 1) * PAGE);
      }
    },
    fetch: async (o) => bodies[Number(o.name.slice(4))]!,
  };
}

const stored = async (store: Parameters<Parameters<typeof withStore>[0]>[0]) =>
  Number((await store.queryRows<{ c: string }>('SELECT count() AS c FROM flows'))[0]!.c);

describe('the listing asked for a page ahead', () => {
  it('a page that fails fails the ingest when its turn comes, after every object before it', async () => {
    await withStore(async (store) => {
      let done = 0;
      await expect(ingestObjects(store, source({ bad: 3 }), { capacity: 2 * ROWS, onProgress: (p) => { done = p.objectsDone; } }))
        .rejects.toThrow('listing page 3 failed');
      expect(done).toBe(3 * PAGE);
      // full batches of those objects are stored; nothing of the pages after
      expect(await stored(store)).toBeGreaterThanOrEqual(2 * PAGE * ROWS);
      expect(await stored(store)).toBeLessThanOrEqual(3 * PAGE * ROWS);
    });
  });

  it('leaves no insert running when it fails: the caller may close the store at once', async () => {
    await withStore(async (raw) => {
      let running = 0;
      const store = overriding(raw, {
        insertPrepared: async (p, token) => {
          running++;
          try { await new Promise((r) => setTimeout(r, 150)); return await raw.insertPrepared(p, token); } finally { running--; }
        },
      });
      await expect(ingestObjects(store, source({ bad: 1 }), { capacity: 2 * ROWS })).rejects.toThrow('listing page 1 failed');
      expect(running).toBe(0);
    });
  });

  it('a round stopped early returns without the page asked for ahead, counting only what it tried', async () => {
    await withStore(async (store) => {
      let seen = 0;
      const s = await ingestObjects(store, source({ never: 2 }), { capacity: 1000, keepGoing: () => ++seen <= PAGE + 2 });
      expect(s.stoppedEarly).toBe(true);
      expect(s.rows).toBe((PAGE + 2) * ROWS);
      // tried: the objects the read-ahead (4) took from the listing, not the rest of their page
      expect(s.objects).toBeGreaterThanOrEqual(PAGE + 2);
      expect(s.objects).toBeLessThanOrEqual(PAGE + 2 + 4 + 1);
      expect(await stored(store)).toBe((PAGE + 2) * ROWS);
    });
  });
});
