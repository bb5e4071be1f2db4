/**
 * Data as Markdown text: owners, entities and SQL come from flow data, so
 * neither HTML nor Markdown syntax in them may take effect where a wiki or
 * chat renders the report, and no control character or bidi override may act
 * where the file is read in a terminal (services/core/safe-text.ts: each is
 * shown as an escape such as \u001b).
 */
import { safeLines, safeText } from '../core/safe-text.js';

/** Longest value inline; the rest is cut with a marker (the JSON report has it all). */
export const MD_VALUE_MAX = 500;

/**
 * Inline text, one line: no tag can open (< as an entity; & too where it
 * would spell one), Markdown punctuation is backslashed, and the rest (a
 * "pci -> dev" arrow) stays readable where chat shows the raw text.
 */
export function mdText(s: string): string {
  return safeText(s.replace(/\r?\n/g, ' '), MD_VALUE_MAX)
    .replace(/&(?=#?\w+;)/g, '&amp;').replace(/</g, '&lt;')
    .replace(/([\\`*_[\]|~#])/g, '\\$1')
    // what would open a quote, list or heading at the start of a line stays text
    .replace(/^>/, '\\>').replace(/^([+-])(?=\s|$)/, '\\$1').replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/** An inline code span, safe in a table cell too (GFM splits cells on | even inside code). */
export function mdCode(s: string): string {
  const text = safeText(s.replace(/\r?\n/g, ' '), MD_VALUE_MAX).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** A fenced block that the content cannot close early. */
export function mdFence(raw: string, lang = ''): string {
  const s = safeLines(raw);
  const longest = Math.max(0, ...(s.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${s.replace(/\s+$/, '')}\n${fence}`;
}

export function mdTable(head: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
