/** Numbers, times and changes as people read them, shared by every renderer. */

import { fmtBytes } from '../core/byte-size.js';

export { fmtBytes };

export function fmtCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/** A measurement in its unit: bytes get byte units, anything else is a count of it. */
export function fmtValue(n: number, unit: string): string {
  return unit === 'bytes' ? fmtBytes(n) : `${fmtCount(n)} ${unit}`;
}

/** "+12.4%", "−3.0%" (a real minus sign), "n/a" without a previous window. */
export function fmtPct(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return 'n/a';
  const sign = p > 0 ? '+' : p < 0 ? '−' : '±';
  return `${sign}${Math.abs(p).toFixed(1)}%`;
}

function toDate(t: Date | string): Date {
  return t instanceof Date ? t : new Date(t);
}

/** "2026-05-02 06:00 UTC": reports go to people in many zones, so always UTC and said so. */
export function fmtTime(t: Date | string): string {
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2026-05-02 01:00 → 04:00 UTC" (the date is repeated only when the window crosses midnight). */
export function fmtWindow(from: Date | string, to: Date | string): string {
  const a = fmtTime(from), b = fmtTime(to);
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return `${a.slice(0, 16)} → ${sameDay ? b.slice(11, 16) : b.slice(0, 16)} UTC`;
}

export function fmtHours(from: Date | string, to: Date | string): string {
  const h = (toDate(to).getTime() - toDate(from).getTime()) / 3_600_000;
  return Number.isFinite(h) ? `${Number.isInteger(h) ? h : h.toFixed(1)} h` : '';
}

/**
 * What follows the observed value: " vs 3.10 GB expected (15.5×)", or why
 * there is nothing to compare it with.
 */
export function fmtAgainstExpected(observed: number, expected: number | null, unit: string): string {
  if (expected === null) return ' (no baseline)';
  if (expected === 0) return ', where none was expected';
  const r = observed / expected;
  return ` vs ${fmtValue(expected, unit)} expected (${r >= 100 ? '>100' : r.toFixed(1)}×)`;
}

/** "3 days", "12 hours", "90 minutes": a window length as people say it. */
export function fmtSpan(ms: number): string {
  const unit = (n: number, u: string) => `${n} ${u}${n === 1 ? '' : 's'}`;
  if (ms % 86_400_000 === 0) return unit(ms / 86_400_000, 'day');
  if (ms % 3_600_000 === 0) return unit(ms / 3_600_000, 'hour');
  return unit(Math.round(ms / 60_000), 'minute');
}

/** What the changes line compares against: "Since yesterday" only when the window is a day. */
export function comparisonLabel(since: Date, until: Date): string {
  const ms = until.getTime() - since.getTime();
  return ms === 86_400_000 ? 'Since yesterday' : `Against the previous ${fmtSpan(ms)}`;
}
