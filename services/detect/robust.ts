/** Robust statistics for baselines: median and MAD resist the outliers a mean would chase. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median absolute deviation, scaled (x1.4826) to estimate a standard deviation. */
export function mad(xs: readonly number[], med = median(xs)): number {
  return 1.4826 * median(xs.map((x) => Math.abs(x - med)));
}

/** Robust z of `x` against samples, in log space (bytes are heavy-tailed); `floor` keeps a flat baseline from making every wiggle infinite. */
export function robustZ(x: number, samples: readonly number[], floor = 0.35): { z: number; center: number } {
  const logs = samples.map((v) => Math.log1p(v));
  const c = median(logs);
  const s = Math.max(mad(logs, c), floor);
  return { z: (Math.log1p(x) - c) / s, center: Math.expm1(c) };
}

/** Spearman rank correlation of xs with their order (1 = rising every step), ties averaged. */
export function trend(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return 0;
  const idx = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const rank = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && idx[j + 1]![0] === idx[i]![0]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  const d2 = rank.reduce((a, r, i) => a + (r - i) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}
