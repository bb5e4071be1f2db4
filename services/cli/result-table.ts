/**
 * A query result as a box-drawn table for a terminal, drawn here rather than
 * by the engine: the engine's Pretty formats pass a value's escape sequences,
 * newlines and bidi overrides straight to the terminal. The engine sends the
 * rows as CSV (exact values, column order and duplicate names kept) and every
 * cell is made safe (services/core/safe-text.ts) and shortened for display.
 */
import { displayWidth, DISPLAY_MAX, padDisplay, safeText } from '../core/safe-text.js';
import { parseCsv } from '../enrich/inventory/csv.js';
import type { FlowStore } from '../store/store.js';

/** As many rows as the engine's Pretty formats show (output_format_pretty_max_rows). */
export const TABLE_MAX_ROWS = 10_000;

const NUMBER = /^-?(\d+(\.\d+)?(e[+-]?\d+)?|inf|nan)$/i;
/** The engine's CSV NULL (a string "\N" reads the same: shown as NULL too, the one ambiguity). */
const CSV_NULL = '\\N';

export async function queryTable(store: FlowStore, sql: string, params?: Record<string, unknown>): Promise<string> {
  return renderCsvTable(await store.queryText(sql, 'csv', params));
}

/** CSVWithNames text as a table; '' for a result without rows (as the engine's table format gives). */
export function renderCsvTable(csv: string, opts: { maxRows?: number; maxCell?: number } = {}): string {
  const maxRows = opts.maxRows ?? TABLE_MAX_ROWS, maxCell = opts.maxCell ?? DISPLAY_MAX;
  const [head, ...body] = parseCsv(csv).map((r) => r.fields);
  if (!head || body.length === 0) return '';
  const shown = body.slice(0, maxRows);
  // numbers right-aligned as the engine does: a column is numeric when every non-NULL value reads as one
  const right = head.map((_, c) => shown.every((r) => r[c] === CSV_NULL || NUMBER.test(r[c] ?? '')));
  const cells = shown.map((r) => head.map((_, c) => (r[c] === CSV_NULL ? 'NULL' : safeText(r[c] ?? '', maxCell))));
  const names = head.map((h) => safeText(h, maxCell));
  const width = names.map((n, c) => Math.max(displayWidth(n), ...cells.map((r) => displayWidth(r[c]!))));
  const top = `┌${names.map((n, c) => {
    const fill = '─'.repeat(width[c]! - displayWidth(n));
    return `─${right[c] ? fill + n : n + fill}─`;
  }).join('┬')}┐`;
  const rows = cells.map((r) => `│${r.map((v, c) => ` ${padDisplay(v, width[c]!, right[c])} `).join('│')}│`);
  const bottom = `└${width.map((w) => '─'.repeat(w + 2)).join('┴')}┘`;
  const more = body.length > shown.length ? [`Showed first ${shown.length} of ${body.length} rows (--format json or csv gives them all).`] : [];
  return `${[top, ...rows, bottom, ...more].join('\n')}\n`;
}
