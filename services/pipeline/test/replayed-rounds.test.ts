/**
 * Rounds of one object prefix that several instances poll (batchCuts: 'per-object'),
 * replayed with a listing that differs from the first attempt's: objects
 * arrived in between (the holder died between a batch's rows and its ledger
 * row, the standby took over), or the standby took the lease and read the
 * ledger while the holder was still storing. Whatever the interleaving, every
 * row is stored once: no batch holds two objects, so its token does not depend
 * on the listing (pipeline/ingest.ts, sharedWriterCuts).
 */
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { dyingStore } from '../../../test/dying-store.js';
import { FlowlogError } from '../../core/errors.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { ObjectBody } from '../../decode/stream.js';
import type { FlowStore } from '../../store/store.js';
import { ingestObjects, type ObjectSource, type SourceObjectRef } from '../ingest.js';

const LINES = 5;
const lines = benchLines(LINES * 4, 31).filter((l) => !l.endsWith('NODATA'));
const body = (i: number) => Buffer.from(`${HEADER}\n${lines.slice(i * LINES, (i + 1) * LINES).join('\n')}\n`);
const objects = Array.from({ length: 4 }, (_, i) => body(i));
const ref = (i: number): SourceObjectRef => ({ name: `o${i}`, identity: 'v1', size: objects[i]!.length });

/** The prefix as listed now: objects 0 .. n-1; `broken` fails (server gone) after its first lines. */
function prefix(n: number, broken?: number): ObjectSource<SourceObjectRef> {
  return {
    kind: 's3',
    list: async function* () { yield Array.from({ length: n }, (_, i) => ref(i)); },
    fetch: async (o): Promise<ObjectBody> => {
      const i = Number(o.name.slice(1));
      if (i !== broken) return objects[i]!;
      const whole = objects[i]!, cut = whole.indexOf('\n', whole.indexOf('\n', HEADER.length + 1) + 1) + 1;
      return (async function* () {
        yield whole.subarray(0, cut);
        throw new FlowlogError('SOURCE_UNAVAILABLE', 'connection reset');
      })();
    },
  };
}

/** The store as an instance sees it that read the ledger before any other instance stored anything. */
const staleLedger = (store: FlowStore): FlowStore => new Proxy(store, {
  get(target, prop, recv) {
    if (prop === 'ledgerState') return async () => new Map();
    const v = Reflect.get(target, prop, recv);
    return typeof v === 'function' ? v.bind(target) : v;
  },
});

async function perObject(store: FlowStore): Promise<Record<string, number>> {
  const rows = await store.queryRows<{ source: string; n: string }>('SELECT source, count() AS n FROM flows GROUP BY source ORDER BY source');
  return Object.fromEntries(rows.map((r) => [r.source, Number(r.n)]));
}

const once = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`o${i}`, LINES]));

describe('a round replayed with a different listing', () => {
  it('a crash after the rows of the round\'s last batch, before its ledger row; the restart lists a new object', async () => {
    await withStore(async (store) => {
      // ledger write 2 dies (batches of o0 + o1, then o2 alone at the round end, were the listing to cut them)
      await expect(ingestObjects(dyingStore(store, 2), prefix(3), { capacity: 10, batchCuts: 'per-object' })).rejects.toThrow(/simulated crash/);
      await ingestObjects(store, prefix(4), { capacity: 10, batchCuts: 'per-object' });
      expect(await perObject(store)).toEqual(once(4));
    });
  });

  it('the lease passes mid-round: the old holder stops after two objects, the new one read the ledger before it stored them', async () => {
    await withStore(async (store) => {
      let asked = 0;
      await ingestObjects(store, prefix(3), { capacity: 15, keepGoing: () => asked++ < 2, batchCuts: 'per-object' });
      await ingestObjects(staleLedger(store), prefix(4), { capacity: 15, batchCuts: 'per-object' });
      expect(await perObject(store)).toEqual(once(4));
    });
  });

  it('two receives (SQS) name one object beside others and read the ledger before either stored: read for their objects alone, stored once', async () => {
    await withStore(async (store) => {
      const asked: (readonly string[] | undefined)[] = [];
      const unaware = new Proxy(store, {
        get(target, prop, recv) {
          if (prop === 'ledgerState') return async (_kind: string, names?: readonly string[]) => { asked.push(names); return new Map(); };
          const v = Reflect.get(target, prop, recv);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      const receive = (ids: number[]): ObjectSource<SourceObjectRef> => ({
        kind: 's3', list: async function* () { yield ids.map(ref); }, fetch: async (o) => objects[Number(o.name.slice(1))]!,
      });
      // 3-row batches of 5-row objects: shared, o1's rows would be cut differently beside o0 than beside nothing before it
      await ingestObjects(unaware, receive([0, 1]), { capacity: 3, batchCuts: 'per-object', ledgerForListedOnly: true });
      await ingestObjects(unaware, receive([1, 2]), { capacity: 3, batchCuts: 'per-object', ledgerForListedOnly: true });
      expect(asked).toEqual([['o0', 'o1'], ['o1', 'o2']]);
      expect(await perObject(store)).toEqual(once(3));
    });
  });

  it('the server fails mid-object on the old holder while the new one stores that object whole', async () => {
    await withStore(async (store) => {
      const s = await ingestObjects(store, prefix(3, 1), { capacity: 10, batchCuts: 'per-object' });
      expect(s.unfinished.map((u) => u.object)).toEqual(['o1']);
      await ingestObjects(staleLedger(store), prefix(3), { capacity: 10, batchCuts: 'per-object' });
      expect(await perObject(store)).toEqual(once(3));
    });
  });
});
