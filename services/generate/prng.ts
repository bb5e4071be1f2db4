/**
 * Seeded randomness. Every file gets its own stream derived from (seed, file
 * index), so a file's bytes never depend on how many draws other files made
 * or in what order async work finished.
 */
export type Rng = () => number;

/** mulberry32: tiny, fast, and good enough for synthetic traffic. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A stream for (seed, stream, index); seeds above 2^32 keep their high bits. */
export function rngFor(seed: number, stream: number, index = 0): Rng {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let h = mix32(lo ^ 0x9e3779b9);
  h = mix32(h ^ hi);
  h = mix32(h ^ Math.imul(stream + 1, 0x27d4eb2f));
  h = mix32(h ^ Math.imul(index + 1, 0x165667b1));
  return mulberry32(h);
}

export const int = (r: Rng, n: number): number => (r() * n) | 0;
export const between = (r: Rng, lo: number, hi: number): number => lo + ((r() * (hi - lo + 1)) | 0);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[(r() * xs.length) | 0]!;

const HEX = '0123456789abcdef';
export function hex(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[(r() * 16) | 0];
  return s;
}

/** Pareto with minimum xm: the heavy tail behind "most flows tiny, a few huge". */
export const pareto = (r: Rng, xm: number, alpha: number): number => xm / Math.pow(1 - r(), 1 / alpha);

/** Weighted choice by a precomputed cumulative table (binary search). */
export class Picker<T> {
  private readonly cdf: Float64Array;
  constructor(readonly items: readonly T[], weights: readonly number[]) {
    this.cdf = new Float64Array(items.length);
    let acc = 0;
    for (let i = 0; i < items.length; i++) this.cdf[i] = acc += weights[i]!;
    for (let i = 0; i < items.length; i++) this.cdf[i] = this.cdf[i]! / acc;
  }
  get size(): number { return this.items.length; }
  pick(r: Rng): T {
    const u = r(), c = this.cdf;
    let lo = 0, hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid]! > u) hi = mid; else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

/** Zipf-ish popularity: item k gets weight 1/(k+1)^s, so a handful dominate. */
export const zipf = <T>(items: readonly T[], s = 1.1): Picker<T> =>
  new Picker(items, items.map((_, k) => 1 / Math.pow(k + 1, s)));
