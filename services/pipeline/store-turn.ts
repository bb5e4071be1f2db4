/**
 * Rounds that choose their objects from the ledger and batch them together
 * (SQS rounds on the embedded store) take turns, one at a time per store in
 * this process. The embedded store belongs to one process (its data directory
 * is locked), so inside a turn nothing else writes what the round read: the
 * objects it skips are stored, the ones it takes nobody else is storing, and
 * its round number is the next of its stream. Two sources on queues that name
 * the same objects take turns too. The engine runs one statement at a time,
 * so the turn costs little.
 */
import type { FlowStore } from '../store/store.js';

export interface StoreTurn {
  /** Runs `fn` once every earlier turn has settled; a failure is the caller's, the next turn runs anyway. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Per stream: the next round number, once read from the ledger (its pending round replayed first). */
  readonly next: Map<string, number>;
}

const turns = new WeakMap<FlowStore, StoreTurn>();

/** The store's turn; callers must pass the one store object the process shares (run/sources.ts does). */
export function storeTurn(store: FlowStore): StoreTurn {
  let t = turns.get(store);
  if (!t) {
    let tail: Promise<unknown> = Promise.resolve();
    t = {
      next: new Map(),
      run<T>(fn: () => Promise<T>): Promise<T> {
        const run = tail.then(fn);
        tail = run.catch(() => undefined);
        return run;
      },
    };
    turns.set(store, t);
  }
  return t;
}
