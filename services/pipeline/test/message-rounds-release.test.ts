/**
 * A round is released to its source (RoundControl.released) once its intent
 * is durable and its last insert is on its way, so the source fetches on
 * while it is stored; and a round that fails is replayed exactly when its
 * source hands it over again, even with more messages than the first time.
 */
import { describe, expect, it } from 'vitest';
import { overriding } from '../../../test/store-overrides.js';
import { withStore } from '../../../test/temp-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { RoundControl, SourceMessage } from '../../sources/source.js';
import type { LedgerEntry } from '../../store/store.js';
import { MessageRounds } from '../message-rounds.js';

const LINES = 20;
const lines = benchLines(20 * LINES, 13);
const msgs = (first: number, end: number): SourceMessage[] => Array.from({ length: end - first }, (_, i) => ({
  offset: first + i, value: Buffer.from(`${HEADER}\n${lines.slice((first + i) * LINES, (first + i + 1) * LINES).join('\n')}`),
}));

function control(events: string[]): RoundControl {
  return { isRunning: () => true, released: (through) => { events.push(`released ${through}`); } };
}

describe('rounds released to their source', () => {
  it('releases a round once, after its intent is written and before its stored mark', async () => {
    await withStore(async (raw) => {
      const events: string[] = [];
      const store = overriding(raw, {
        recordLedger: async (entries: readonly LedgerEntry[]) => {
          await raw.recordLedger(entries);
          for (const e of entries) if (e.state) events.push(e.state);
        },
        insertPrepared: async (p, token) => { events.push('rows'); return raw.insertPrepared(p, token); },
      });
      const rounds = new MessageRounds(store, { capacity: 100 });
      await rounds.load();
      expect(await rounds.storeRound('t/0', msgs(0, 10), control(events), 0)).toEqual({ through: 10, stored: true });
      expect(events.filter((e) => e.startsWith('released'))).toEqual(['released 10']);
      const at = (e: string) => events.indexOf(e);
      expect(at('intent')).toBeLessThan(at('released 10'));
      expect(at('released 10')).toBeLessThan(at('stored'));
      expect(at('intent')).toBeLessThan(at('rows'));
      expect(events.lastIndexOf('rows')).toBeLessThan(at('released 10')); // its last insert is on its way (both batches)
      expect(events.filter((e) => e === 'rows')).toHaveLength(2);
    });
  });

  it('does not release a round whose intent is not written yet (no batch: all its messages undecodable)', async () => {
    await withStore(async (store) => {
      const events: string[] = [];
      const rounds = new MessageRounds(store, { capacity: 100 });
      await rounds.load();
      // broken gzip: refused before any parse, so the round has its own rejects and no batch
      const junk = [0, 1].map((offset) => ({ offset, value: Buffer.from([0x1f, 0x8b, 0x08, 0, offset, 2, 3]) }));
      expect(await rounds.storeRound('t/0', junk, control(events), 0)).toEqual({ through: 2, stored: true });
      expect(events).toEqual([]);
      expect(Number((await store.queryRows<{ n: number }>('SELECT count() AS n FROM flows_rejected'))[0]!.n)).toBe(2);
    });
  });

  it('a round that failed after its rows landed is replayed exactly when handed over again with more messages', async () => {
    await withStore(async (raw) => {
      let failStored = true;
      const store = overriding(raw, {
        recordLedger: async (entries: readonly LedgerEntry[]) => {
          if (failStored && entries.some((e) => e.state === 'stored')) { failStored = false; throw new Error('the store went away'); }
          return raw.recordLedger(entries);
        },
      });
      const rounds = new MessageRounds(store, { capacity: 1000 });
      await rounds.load();
      const events: string[] = [];
      await expect(rounds.storeRound('t/0', msgs(0, 10), control(events), 0)).rejects.toThrow('the store went away');
      // the source fetches again from the round's start, and more has arrived meanwhile
      expect(await rounds.storeRound('t/0', msgs(0, 15), control(events), 0)).toEqual({ through: 10, stored: true });
      expect(await rounds.storeRound('t/0', msgs(10, 15), control(events), 0)).toEqual({ through: 15, stored: true });
      expect(Number((await raw.queryRows<{ n: number }>('SELECT count() AS n FROM flows'))[0]!.n)).toBe(15 * LINES);
    });
  });
});
