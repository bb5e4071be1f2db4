/**
 * The one backoff of supervised work (a source's rounds, a Kafka consumer's
 * start, a detector run): 1 s, 5 s, 15 s, 30 s, then every 60 s until it
 * works again. Short enough that a blip costs seconds, long enough that a
 * source down for hours writes one line a minute.
 */
export const RETRY_MS = [1_000, 5_000, 15_000, 30_000, 60_000] as const;

/** The wait after the `failures`-th failure in a row (0-based). */
export function retryDelayMs(failures: number): number {
  return RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!;
}

/** A sleep that `wake()` cuts short (a stopping process never waits out a backoff). */
export class Sleeper {
  private wakeUp: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wakeUp = null; resolve(); }, ms);
      this.wakeUp = () => { clearTimeout(t); this.wakeUp = null; resolve(); };
    });
  }

  wake(): void { this.wakeUp?.(); }
}
