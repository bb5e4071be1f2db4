/**
 * Traffic volume by time of day, and how a fixed record budget is spread over
 * delivery units so the total comes out exact.
 */

/** Relative volume at a UTC hour (fractional): quiet nights, a broad working-day peak. */
export function diurnal(hour: number): number {
  const h = ((hour % 24) + 24) % 24;
  const d = (h - 13.5) / 3.6;
  return 0.2 + Math.exp(-d * d);
}

export const DIURNAL_MEAN = (() => {
  let s = 0;
  for (let i = 0; i < 2400; i++) s += diurnal(i / 100);
  return s / 2400;
})();

export const hourOf = (unixSec: number): number => (unixSec % 86400) / 3600;

/** Scans run around the clock: their share rises at night as business traffic falls. */
export const scanShare = (hour: number): number => Math.min(0.5, 0.12 * DIURNAL_MEAN / diurnal(hour));

/** Backups run in the small hours. */
export const backupShare = (hour: number): number => (hour >= 1 && hour < 4 ? 0.006 : 0.0006);

/**
 * Splits `total` over units in proportion to `weights` with cumulative rounding:
 * every count is an integer, the sum is exactly `total`.
 */
export function apportion(total: number, weights: Float64Array): Int32Array {
  const out = new Int32Array(weights.length);
  let sum = 0;
  for (const w of weights) sum += w;
  if (sum <= 0 || total <= 0) return out;
  let acc = 0, prev = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    const target = i === weights.length - 1 ? total : Math.round((acc / sum) * total);
    out[i] = target - prev;
    prev = target;
  }
  return out;
}
