/** Small text helpers for the terminal rendering: aligned columns, counts, sparklines. */
import { displayWidth, padDisplay, safeText } from '../core/safe-text.js';

export const count = (n: number): string => n.toLocaleString('en-US');

/** Longest cell shown; the rest is cut with a marker saying how much (the JSON output has it all). */
export const CELL_MAX = 100;

/**
 * Columns padded to their widest cell; numbers (by the header's "right" set) right-aligned. Cells
 * come from flow and IPAM data: each is made terminal-safe and one line (services/core/safe-text.ts).
 */
export function table(header: string[], rows: (string | number | null)[][], right: ReadonlySet<number> = new Set(), indent = '  '): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === '' ? '-' : String(c))))].map((r) => r.map((c) => safeText(c, CELL_MAX)));
  const width = header.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i]!))));
  return cells.map((r) => indent + r.map((c, i) => padDisplay(c, width[i]!, right.has(i))).join('  ').trimEnd());
}

const LEVELS = '▁▂▃▄▅▆▇█';

/** Sums of consecutive runs of `per` values: a long series made short enough to draw. */
export function fold(values: readonly number[], per: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += per) out.push(values.slice(i, i + per).reduce((a, b) => a + b, 0));
  return out;
}

/** One character per value, scaled to the series' maximum; zero is a blank so silence stands out. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max === 0 ? ' ' : LEVELS[Math.min(LEVELS.length - 1, Math.floor((v / max) * (LEVELS.length - 1) + 0.5))]!)).join('');
}

export const PROTOCOLS: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };
export const portText = (port: number | null, protocol: number | null): string =>
  `${port ?? '-'}/${protocol === null ? '?' : PROTOCOLS[protocol] ?? protocol}`;
