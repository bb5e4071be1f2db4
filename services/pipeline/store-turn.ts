/**
 * Rounds that choose their objects from the ledger and batch them together
 * (SQS rounds on the embedded store) take turns, one at a time per store in
 * this process. The embedded store belongs to one process (its data directory
 * is locked), so inside a turn no other round writes what the round read: the
 * objects it skips are stored, the ones it takes no other round is storing,
 * and its round number is the next of its stream. Two sources on queues that
 * name the same objects take turns too. The engine runs one statement at a
 * time, so the turn costs little.
 *
 * Every turn first recovers each stream whose next round is not known (at
 * start, or after one of its rounds failed): its pending round is replayed
 * before any round of any stream runs, so no other round stores one of its
 * objects in between and cuts it differently.
 */
import type { FlowStore } from '../store/store.js';

export interface StoreTurn {
  /** Runs `fn` in the next turn, once every earlier turn has settled and every stream is recovered; a failure is the caller's, the next turn runs anyway. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Per stream: the next round number, once recovered. Deleted after a failed round: the ledger says again. */
  readonly next: Map<string, number>;
  /** The streams rounds are stored for, each with how to recover it: replay its pending round, answer its next round number. */
  readonly streams: Map<string, () => Promise<number>>;
}

const turns = new WeakMap<FlowStore, StoreTurn>();

/** The store's turn; callers must pass the one store object the process shares (run/sources.ts does). */
export function storeTurn(store: FlowStore): StoreTurn {
  let t = turns.get(store);
  if (!t) {
    let tail: Promise<unknown> = Promise.resolve();
    const next = new Map<string, number>(), streams = new Map<string, () => Promise<number>>();
    const recovered = async (): Promise<void> => {
      for (const [stream, recover] of streams) if (!next.has(stream)) next.set(stream, await recover());
    };
    t = {
      next, streams,
      run<T>(fn: () => Promise<T>): Promise<T> {
        const run = tail.then(async () => { await recovered(); return fn(); });
        tail = run.catch(() => undefined);
        return run;
      },
    };
    turns.set(store, t);
  }
  return t;
}
