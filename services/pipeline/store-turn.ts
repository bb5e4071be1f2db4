/**
 * Rounds that choose their objects from the ledger and batch them together
 * (SQS and S3 poll rounds on the embedded store, shared-rounds.ts) take turns,
 * one at a time per store in this process. The embedded store belongs to one
 * process (its data directory is locked), so inside a turn no other round
 * writes what the round read: the objects it skips are stored, the ones it
 * takes no other round is storing, and its round number is the next of its
 * stream. Two sources that name the same objects take turns too. The engine
 * runs one statement at a time, so the turn costs little.
 *
 * Every turn first recovers each stream whose next round is not known (at
 * start, or after one of its rounds failed): its pending round is replayed
 * before any round of any stream runs, so no other round stores one of its
 * objects in between and cuts it differently. A replay that fails (its S3
 * down, say) blocks only its own objects: other rounds leave those unfinished
 * and go on, the stream's own rounds fail until it is replayed, and the
 * replay is tried again at most every RETRY_MS.
 */
import { FlowlogError } from '../core/errors.js';
import type { FlowStore } from '../store/store.js';

/** A stream's pending round could not be replayed: no other round may store its objects until it is. */
export class ReplayPending extends FlowlogError {
  constructor(readonly stream: string, readonly objects: readonly string[], cause: unknown) {
    super(cause instanceof FlowlogError ? cause.code : 'SOURCE_UNAVAILABLE', `the pending round of ${stream} could not be stored again yet: ${(cause as Error).message}`,
      'it is tried again before later rounds; its objects wait for it, other objects do not', { cause });
  }
}

/** How long a failed replay waits before the next turn tries it again. */
const RETRY_MS = 10_000;

export interface StoreTurn {
  /** Runs `fn` in the next turn, once every earlier turn has settled and every stream is recovered; a failure is the caller's, the next turn runs anyway. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Per stream: the next round number, once recovered. Deleted after a failed round: the ledger says again. */
  readonly next: Map<string, number>;
  /** The streams rounds are stored for, each with how to recover it: replay its pending round, answer its next round number. */
  readonly streams: Map<string, () => Promise<number>>;
  /** Streams whose pending round could not be replayed yet: why, its objects, and when to try again. */
  readonly blocked: Map<string, { error: ReplayPending; retryAt: number }>;
}

const turns = new WeakMap<FlowStore, StoreTurn>();

/** The store's turn; callers must pass the one store object the process shares (run/sources.ts does). */
export function storeTurn(store: FlowStore): StoreTurn {
  let t = turns.get(store);
  if (!t) {
    let tail: Promise<unknown> = Promise.resolve();
    const next = new Map<string, number>(), streams = new Map<string, () => Promise<number>>();
    const blocked = new Map<string, { error: ReplayPending; retryAt: number }>();
    const recovered = async (): Promise<void> => {
      for (const [stream, recover] of streams) {
        if (next.has(stream) || (blocked.get(stream)?.retryAt ?? 0) > Date.now()) continue;
        try {
          next.set(stream, await recover());
          blocked.delete(stream);
        } catch (e) {
          if (!(e instanceof ReplayPending)) throw e; // the ledger could not be read: which objects wait is not known
          blocked.set(stream, { error: e, retryAt: Date.now() + RETRY_MS });
        }
      }
    };
    t = {
      next, streams, blocked,
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
