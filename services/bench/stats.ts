/** Small pure helpers the bench reports are computed with. */

/** The median by nearest rank (the middle run of an odd count, the lower middle of an even one). */
export function p50(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('p50 of no values');
  return [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1]!;
}

export interface ProgressPoint { rows: number; t: number }

/**
 * Points from `flowlog ingest`'s progress lines on a pipe ("ingest 30% 6,000,000 flows stored, 0 rejected (12.3s)",
 * with no share while the listing is still arriving, and "ingest done ... (s)"), with (0, 0) first: stored
 * rows against the ingest's own clock.
 */
export function progressPoints(stderr: string): ProgressPoint[] {
  const out: ProgressPoint[] = [{ rows: 0, t: 0 }];
  for (const m of stderr.matchAll(/^ingest (?:\d+% |done )?([\d,]+) flows\b.*\((\d+(?:\.\d+)?)s\)$/gm)) {
    out.push({ rows: Number(m[1]!.replace(/,/g, '')), t: Number(m[2]) });
  }
  return out;
}

/** When `rows` rows were stored, interpolated between the points around it (points in order). */
export function timeAtRows(points: readonly ProgressPoint[], rows: number): number {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!, b = points[i]!;
    if (b.rows >= rows) return b.rows === a.rows ? b.t : a.t + ((rows - a.rows) / (b.rows - a.rows)) * (b.t - a.t);
  }
  throw new RangeError(`progress never reached ${rows} rows`);
}

/** Rows/s over the first `window` rows and over the last `window` rows of an ingest. */
export function firstLastRates(points: readonly ProgressPoint[], window: number): { first: number; last: number } {
  const end = points[points.length - 1]!;
  if (end.rows < 2 * window) throw new RangeError(`${end.rows} rows is less than two windows of ${window}`);
  const first = window / timeAtRows(points, window);
  const last = window / (end.t - timeAtRows(points, end.rows - window));
  return { first, last };
}

/** At most `n` samples spread evenly over the list (always the last one): a memory curve short enough to print. */
export function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  for (let i = 1; i <= n; i++) out.push(xs[Math.round((i * xs.length) / n) - 1]!);
  return out;
}
