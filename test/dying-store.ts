/** A store that dies (throws) at its Nth ledger write: that batch's rows are stored, the ledger does not say so. */
import type { FlowStore, LedgerEntry } from '../services/store/store.js';

export function dyingStore(store: FlowStore, dieAt: number): FlowStore {
  let n = 0;
  return new Proxy(store, {
    get(target, prop, recv) {
      if (prop === 'recordLedger') {
        return async (entries: readonly LedgerEntry[]) => {
          if (++n === dieAt) throw new Error(`simulated crash at ledger write ${n}`);
          return target.recordLedger(entries);
        };
      }
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
