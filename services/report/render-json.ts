/**
 * ReportData as stable JSON: the same data gives the same bytes (keys
 * sorted at every level, dates as ISO strings, non-finite numbers as null),
 * so reports diff cleanly and consumers can rely on the shape.
 */
import type { ReportData } from './report-data.js';

function normalise(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, normalise(o[k])]));
  }
  return v;
}

export function renderJson(d: ReportData): string {
  return `${JSON.stringify(normalise(d), null, 2)}\n`;
}
