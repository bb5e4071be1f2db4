/**
 * The read-ahead between a listing and the parser: order kept, at most
 * maxItems and maxBytes ahead (one large item always let through), and the
 * listing pulled only as far as the bounds reach.
 */
import { describe, expect, it } from 'vitest';
import { ReadAhead } from '../read-ahead.js';

async function* listing(sizes: number[], pulled: { n: number }, failAt = -1): AsyncGenerator<{ i: number; size: number }> {
  for (let i = 0; i < sizes.length; i++) {
    if (i === failAt) throw new Error('listing failed');
    pulled.n = i + 1;
    await Promise.resolve();
    yield { i, size: sizes[i]! };
  }
}

describe('ReadAhead', () => {
  it('keeps the listing order and never holds more than maxItems ahead', async () => {
    const pulled = { n: 0 };
    let loading = 0, maxLoading = 0;
    const ra = new ReadAhead(listing(Array(100).fill(10), pulled), async (x) => {
      loading++; maxLoading = Math.max(maxLoading, loading);
      await new Promise((r) => setTimeout(r, 1));
      return x.i;
    }, (x) => x.size, { maxItems: 8, maxBytes: 1 << 20 });
    const seen: number[] = [];
    for (let n = await ra.next(); n; n = await ra.next()) {
      expect(pulled.n).toBeLessThanOrEqual(seen.length + 1 + 8); // the listing is pulled only as far as the read-ahead reaches
      seen.push(await n.loaded);
      loading--;
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(maxLoading).toBeLessThanOrEqual(9);
    expect(maxLoading).toBeGreaterThan(4); // and it does read ahead
  });

  it('holds few large items and many small ones: the byte budget', async () => {
    const sizes = [...Array(20).fill(100), ...Array(6).fill(5000), 100];
    const pulled = { n: 0 };
    const ra = new ReadAhead(listing(sizes, pulled), async (x) => x.i, (x) => x.size, { maxItems: 64, maxBytes: 4000 });
    const aheadAt: number[] = [];
    for (let n = await ra.next(); n; n = await ra.next()) {
      await new Promise((r) => setTimeout(r, 1));
      aheadAt.push(pulled.n - (n.item.i + 1));
    }
    // while small items come, all 20 are ahead; a 5000-byte item is alone past the budget, never two of them
    expect(Math.max(...aheadAt.slice(0, 10))).toBeGreaterThanOrEqual(10);
    expect(Math.max(...aheadAt.slice(20, 26))).toBeLessThanOrEqual(1);
  });

  it('hands out what was listed before a listing error, then throws it', async () => {
    const ra = new ReadAhead(listing(Array(10).fill(1), { n: 0 }, 5), async (x) => x.i, () => 1, { maxItems: 3, maxBytes: 100 });
    const got: number[] = [];
    await expect((async () => { for (let n = await ra.next(); n; n = await ra.next()) got.push(await n.loaded); })()).rejects.toThrow('listing failed');
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });
});
