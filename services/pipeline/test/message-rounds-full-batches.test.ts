/**
 * A new round takes the messages of a fetch that fill whole batches (by the
 * stream's bytes per row so far) and leaves the rest to its source, so no
 * round ends in a small insert; a fetch of less than a batch is taken whole;
 * and a round replayed after a failure takes exactly its intent, however much
 * more the source hands over.
 */
import { describe, expect, it } from 'vitest';
import { overriding } from '../../../test/store-overrides.js';
import { withStore } from '../../../test/temp-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { RoundControl, SourceMessage } from '../../sources/source.js';
import type { FlowStore, LedgerEntry } from '../../store/store.js';
import { MessageRounds } from '../message-rounds.js';

const LINES = 20;
const lines = benchLines(60 * LINES, 17);
const msgs = (first: number, end: number): SourceMessage[] => Array.from({ length: end - first }, (_, i) => ({
  offset: first + i, value: Buffer.from(`${HEADER}\n${lines.slice((first + i) * LINES, (first + i + 1) * LINES).join('\n')}`),
}));
const running: RoundControl = { isRunning: () => true };

/** The store, and the rows of each flows insert in order. */
function recording(raw: FlowStore): { store: FlowStore; inserts: number[] } {
  const inserts: number[] = [];
  return { inserts, store: overriding(raw, { insertPrepared: async (p, token) => { inserts.push(p.rows); return raw.insertPrepared(p, token); } }) };
}

const count = async (store: FlowStore) => Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n);

describe('rounds of whole batches', () => {
  it('takes what fills whole batches, leaves the rest, and takes a fetch of less than a batch whole', async () => {
    await withStore(async (raw) => {
      const { store, inserts } = recording(raw);
      const rounds = new MessageRounds(store, { capacity: 100 });
      await rounds.load();
      // nothing known of the stream yet: the whole fetch (200 rows, two full batches)
      expect(await rounds.storeRound('t/0', msgs(0, 10), running, 0)).toEqual({ through: 10, stored: true });
      // 13 messages, 260 rows: two batches' worth, aimed at 90% of them; the rest is the source's to fetch again
      const second = await rounds.storeRound('t/0', msgs(10, 23), running, 0);
      expect(second?.stored).toBe(true);
      const cut = second!.through;
      expect(cut).toBeGreaterThan(15);
      expect(cut).toBeLessThan(23);
      const ofSecond = inserts.slice(2);
      expect(ofSecond).toHaveLength(2);
      expect(Math.min(...ofSecond)).toBeGreaterThanOrEqual(60); // no small insert at the round's end
      let through = cut;
      while (through < 23) through = (await rounds.storeRound('t/0', msgs(through, 23), running, 0))!.through;
      // 60 rows, less than a batch: taken whole
      expect(await rounds.storeRound('t/0', msgs(23, 26), running, 0)).toEqual({ through: 26, stored: true });
      expect(await count(raw)).toBe(26 * LINES);
    });
  });

  it('a partition\'s first round is cut by what its topic\'s other partitions stored; another topic\'s is taken whole', async () => {
    await withStore(async (raw) => {
      const { store, inserts } = recording(raw);
      const rounds = new MessageRounds(store, { capacity: 100 });
      await rounds.load();
      expect(await rounds.storeRound('t/0', msgs(0, 10), running, 0)).toEqual({ through: 10, stored: true });
      // t/1 has stored nothing yet: 13 messages, cut by t/0's bytes per row to 90% of two batches
      const first = await rounds.storeRound('t/1', msgs(10, 23), running, 0);
      expect(first!.through).toBeGreaterThan(15);
      expect(first!.through).toBeLessThan(23);
      expect(Math.min(...inserts.slice(2))).toBeGreaterThanOrEqual(60); // no sliver at its end
      // another topic knows nothing of t: taken whole, 260 rows in three inserts
      const before = inserts.length;
      expect(await rounds.storeRound('u/0', msgs(10, 23), running, 0)).toEqual({ through: 23, stored: true });
      expect(inserts.slice(before)).toEqual([100, 100, 60]);
    });
  });

  it('a round that failed after its rows landed is replayed as its intent says, not cut again by what is handed over', async () => {
    await withStore(async (raw) => {
      let failStored = 0;
      const intents: LedgerEntry[] = [];
      const store = overriding(raw, {
        recordLedger: async (entries: readonly LedgerEntry[]) => {
          for (const e of entries) if (e.state === 'intent') intents.push(e);
          if (failStored === 1 && entries.some((e) => e.state === 'stored')) { failStored = 2; throw new Error('the store went away'); }
          return raw.recordLedger(entries);
        },
      });
      const rounds = new MessageRounds(store, { capacity: 100 });
      await rounds.load();
      await rounds.storeRound('t/0', msgs(0, 10), running, 0);
      failStored = 1;
      await expect(rounds.storeRound('t/0', msgs(10, 23), running, 0)).rejects.toThrow('the store went away');
      const intent = intents[intents.length - 1]!;
      expect(intent.lastPosition).toBeLessThan(23); // the failed round was cut
      // handed over again with far more: four batches' worth would be cut elsewhere
      expect(await rounds.storeRound('t/0', msgs(10, 50), running, 0)).toEqual({ through: intent.lastPosition, stored: true });
      let through = intent.lastPosition;
      while (through < 50) through = (await rounds.storeRound('t/0', msgs(through, 50), running, 0))!.through;
      expect(await count(raw)).toBe(50 * LINES);
    });
  });
});
