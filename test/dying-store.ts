/**
 * A store that dies (throws) at its Nth ledger write of stored rows: that batch's rows are stored, the
 * ledger does not say so. Write-ahead intents are written and not counted (dyingAtWrite counts every write).
 */
import type { FlowStore } from '../services/store/store.js';
import { overriding } from './store-overrides.js';

export function dyingStore(store: FlowStore, dieAt: number): FlowStore {
  let n = 0;
  return overriding(store, {
    recordLedger: async (entries) => {
      if (entries.some((e) => e.state !== 'intent') && ++n === dieAt) throw new Error(`simulated crash at ledger write ${n}`);
      return store.recordLedger(entries);
    },
  });
}

/**
 * A store whose writes (rows, rejects, JSON lines, ledger) are counted; the
 * `dieAt`th throws, after landing (`lands`) or instead of it. `dieAt` 0 never
 * dies: a run with it counts a round's writes.
 */
export function dyingAtWrite(store: FlowStore, dieAt: number, lands: boolean): { store: FlowStore; writes: () => number } {
  let n = 0;
  const write = <A extends unknown[]>(f: (...a: A) => Promise<void>) => async (...a: A) => {
    if (++n !== dieAt) return f(...a);
    if (lands) await f(...a);
    throw new Error(`simulated crash at write ${n}`);
  };
  return {
    store: overriding(store, {
      insertPrepared: write(store.insertPrepared.bind(store)), insertRejects: write(store.insertRejects.bind(store)),
      insertJsonLines: write(store.insertJsonLines.bind(store)), recordLedger: write(store.recordLedger.bind(store)),
    }),
    writes: () => n,
  };
}
