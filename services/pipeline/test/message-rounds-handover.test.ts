/**
 * A stream handed from one consumer to another (a consumer group rebalance
 * among several `flowlog run` instances on one store). Consumer Y dies after
 * storing a round's rows but before marking it stored; consumer X, which read
 * the ledger before that, gets the stream. Told of the rebalance, X replays
 * Y's intent exactly (same batches, same dedup tokens), so Y's rows are not
 * stored twice. And a consumer still holding an intent that another finished
 * meanwhile does not stall on it: the ledger says the stream moved on.
 */
import { describe, expect, it } from 'vitest';
import { overriding } from '../../../test/store-overrides.js';
import { withStore } from '../../../test/temp-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { RoundControl, SourceMessage } from '../../sources/source.js';
import type { FlowStore } from '../../store/store.js';
import { MessageRounds } from '../message-rounds.js';
import { perMessage } from './per-message.js';

const LINES = 20, STREAM = 'flows/0';
const lines = benchLines(20 * LINES, 5);
const msgs: SourceMessage[] = Array.from({ length: 20 }, (_, i) => ({ offset: i, value: Buffer.from(`${HEADER}\n${lines.slice(i * LINES, (i + 1) * LINES).join('\n')}`) }));
const ctl: RoundControl = { isRunning: () => true };

/** The store as a consumer sees it that dies when it would mark its round stored: the rows are in, the ledger does not say so. */
function diesBeforeStored(store: FlowStore): FlowStore {
  return overriding(store, {
    recordLedger: async (entries) => {
      if (entries.some((e) => e.state === 'stored')) throw new Error('killed before the round was marked stored');
      return store.recordLedger(entries);
    },
  });
}

/** Rounds from `first` until every message before `end` is stored (a round takes the whole batches of what it is handed). */
async function storeUpTo(rounds: MessageRounds, first: number, end: number): Promise<number> {
  let through = first;
  while (through < end) through = (await rounds.storeRound(STREAM, msgs.slice(through, end), ctl, 0))!.through;
  return through;
}

describe('a stream handed between consumers', () => {
  it('replays the intent a dead consumer left, exactly: nothing it stored is stored twice', async () => {
    await withStore(async (store) => {
      const x = new MessageRounds(store, { capacity: 50 });
      await x.load(); // before Y's round: X knows nothing of it
      const y = new MessageRounds(diesBeforeStored(store), { capacity: 50 });
      await y.load();
      await expect(y.storeRound(STREAM, msgs.slice(0, 6), ctl, 0)).rejects.toThrow(/killed/);
      expect((await perMessage(store, LINES)).total).toBe(6 * LINES); // its rows landed
      x.reassigned(); // the group gave X the stream
      // the broker hands X everything from the group's offset (0): more than Y's round held
      expect(await x.storeRound(STREAM, msgs.slice(0, 10), ctl, 0)).toEqual({ through: 6, stored: true });
      expect(await storeUpTo(x, 6, 10)).toBe(10);
      expect(await perMessage(store, LINES)).toEqual({ messages: 10, bad: 0, total: 10 * LINES });
    });
  });

  it('an intent finished by another consumer does not stall the one that still holds it', async () => {
    await withStore(async (store) => {
      const y = new MessageRounds(diesBeforeStored(store), { capacity: 50 });
      await y.load();
      await expect(y.storeRound(STREAM, msgs.slice(0, 6), ctl, 0)).rejects.toThrow(/killed/);
      const x = new MessageRounds(store, { capacity: 50 });
      await x.load(); // X learns of Y's pending intent [0, 6)
      const z = new MessageRounds(store, { capacity: 50 });
      await z.load();
      expect(await z.storeRound(STREAM, msgs.slice(0, 12), ctl, 0)).toEqual({ through: 6, stored: true });
      expect(await storeUpTo(z, 6, 12)).toBe(12);
      // the stream comes back to X from offset 12, past the intent X still holds (no rebalance notice this time)
      expect(await x.storeRound(STREAM, msgs.slice(12, 20), ctl, 0)).toEqual({ through: 20, stored: true });
      expect(await perMessage(store, LINES)).toEqual({ messages: 20, bad: 0, total: 20 * LINES });
    });
  });
});
