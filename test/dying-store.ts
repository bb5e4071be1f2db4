/** A store that dies (throws) at its Nth ledger write: that batch's rows are stored, the ledger does not say so. */
import type { FlowStore } from '../services/store/store.js';
import { overriding } from './store-overrides.js';

export function dyingStore(store: FlowStore, dieAt: number): FlowStore {
  let n = 0;
  return overriding(store, {
    recordLedger: async (entries) => {
      if (++n === dieAt) throw new Error(`simulated crash at ledger write ${n}`);
      return store.recordLedger(entries);
    },
  });
}
