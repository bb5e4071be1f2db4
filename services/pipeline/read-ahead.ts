/**
 * Objects fetched ahead of the one being parsed, bounded by count and by
 * bytes, in the order the listing gave them. Small objects are many at a time
 * (each costs a request or an open more than its bytes: 64 GETs of a few KB
 * in flight hide a network's latency), large ones few (each holds a window of
 * megabytes). The listing is pulled only as far as the bounds reach, so the
 * next page is listed while this page's objects are fetched, and no more of
 * it is held than the read-ahead needs.
 */

export interface ReadAheadLimits {
  /** Most items loading or loaded ahead of the consumer. */
  maxItems: number;
  /** Most bytes (by `cost`) loading or loaded ahead; one item is always let through. */
  maxBytes: number;
}

export interface Ahead<T, L> { item: T; loaded: Promise<L> }

export class ReadAhead<T, L> {
  private readonly queue: (Ahead<T, L> & { cost: number })[] = [];
  private bytes = 0;
  private ended = false;
  private failed: { error: unknown } | null = null;
  private pulling: Promise<void> | null = null;
  private readonly it: AsyncIterator<T>;

  constructor(items: AsyncIterable<T>, private readonly load: (item: T) => Promise<L>, private readonly cost: (item: T) => number, private readonly limits: ReadAheadLimits) {
    this.it = items[Symbol.asyncIterator]();
  }

  /** The next item, its load started earlier; null when the items are exhausted. Throws what the listing threw. */
  async next(): Promise<Ahead<T, L> | null> {
    for (;;) {
      const head = this.queue.shift();
      if (head) {
        this.bytes -= head.cost;
        void this.fill();
        return head;
      }
      if (this.failed) throw this.failed.error;
      if (this.ended) return null;
      await this.fill();
    }
  }

  /** Stops pulling the listing (the consumer gave up). */
  async close(): Promise<void> {
    this.ended = true;
    await this.pulling?.catch(() => undefined);
    await this.it.return?.();
  }

  private room(): boolean {
    return this.queue.length === 0 || (this.queue.length < this.limits.maxItems && this.bytes < this.limits.maxBytes);
  }

  private fill(): Promise<void> {
    if (this.pulling) return this.pulling;
    if (this.ended || this.failed || !this.room()) return Promise.resolve();
    const pull = async (): Promise<void> => {
      try {
        while (!this.ended && !this.failed && this.room()) {
          const r = await this.it.next();
          if (r.done) { this.ended = true; break; }
          const cost = Math.max(1, this.cost(r.value));
          this.queue.push({ item: r.value, loaded: this.load(r.value), cost });
          this.bytes += cost;
        }
      } catch (error) {
        this.failed = { error };
      }
    };
    // cleared when done, never before it is set (the first await above always yields)
    const p = pull().finally(() => { if (this.pulling === p) this.pulling = null; });
    this.pulling = p;
    return p;
  }
}
