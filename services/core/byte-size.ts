/**
 * Byte counts as people read them, in decimal units (1 GB = 1e9 bytes) as
 * the detectors' summaries, the reports, investigate and the ingest summary
 * all write them: one formatter, so a unit means the same everywhere. Tables
 * built in SQL use the engine's formatReadableDecimalSize, the same units
 * with two decimals always.
 */
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  let v = Math.abs(n), i = 0;
  while (v >= 1000 && i < UNITS.length - 1) { v /= 1000; i++; }
  // 999,999 bytes would round to "1000 KB": that is 1.00 MB
  if (i > 0 && i < UNITS.length - 1 && Number(v.toFixed(0)) >= 1000) { v /= 1000; i++; }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${n < 0 ? '-' : ''}${v.toFixed(digits)} ${UNITS[i]}`;
}
