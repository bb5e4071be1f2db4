/** A store with some of its methods replaced, the rest its own (bound): what tests watch, hold or break. */
import type { FlowStore } from '../services/store/store.js';

export function overriding<S extends FlowStore>(store: S, overrides: Partial<FlowStore>): S {
  return new Proxy(store, {
    get(target, prop, recv) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof FlowStore];
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
