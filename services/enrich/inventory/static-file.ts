/**
 * The hand-written IPAM file, YAML or CSV. Strict about keys (an unknown key
 * is reported, not turned into a tag) because a typo such as `ownr:` would
 * otherwise silently drop the owner of a prefix.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { IPAM_ATTRIBUTES, IpamSourceError, type IpamAttribute, type IpamRecord } from '../ipam-record.js';
import { cidrOrProblem } from './cidr-shape.js';
import { CsvSyntaxError, parseCsv } from './csv.js';
import { describe, isObject } from './json-access.js';
import { ItemProblem, forEachItem, invalidLines, problemLine, type IpamReadResult } from './read-result.js';
import { withTags } from './tag-keys.js';

export type StaticFormat = 'yaml' | 'csv';

const ATTRS = new Set<string>(IPAM_ATTRIBUTES);

/** By extension first; else YAML when the text starts like the documented layout, CSV otherwise. */
export function detectStaticFormat(text: string, origin: string): StaticFormat {
  if (/\.csv$/i.test(origin)) return 'csv';
  if (/\.(ya?ml|json)$/i.test(origin)) return 'yaml';
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  return /^\s*(---|\{|prefixes\s*:)/.test(first) ? 'yaml' : 'csv';
}

export function readStaticFile(text: string, origin: string, format: StaticFormat = detectStaticFormat(text, origin)): IpamReadResult {
  return format === 'csv' ? readStaticCsv(text, origin) : readStaticYaml(text, origin);
}

function readStaticYaml(text: string, origin: string): IpamReadResult {
  return readStaticPrefixes(parseYamlText(text, origin), origin);
}

/**
 * YAML with the failsafe schema: every scalar stays text, so cost_center 00123
 * keeps its zeros and 1.10 stays 1.10. A syntax error names line and column.
 */
export function parseYamlText(text: string, origin: string): unknown {
  try {
    return parseYaml(text, { schema: 'failsafe' });
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const at = err.linePos?.[0];
    throw new IpamSourceError(origin, `not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${(err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`);
  }
}

/** The parsed YAML (or JSON) document `{prefixes: [...]}`. */
export function readStaticPrefixes(doc: unknown, origin: string): IpamReadResult {
  if (!isObject(doc) || !Array.isArray(doc.prefixes)) {
    throw new IpamSourceError(origin, `expected a mapping with a "prefixes" list, found ${isObject(doc) ? `keys ${Object.keys(doc).join(', ') || '(none)'}` : describe(doc)}`);
  }
  const problems = Object.keys(doc).filter((k) => k !== 'prefixes').map((k) => problemLine(origin, `top-level key "${k}"`, 'unknown key, ignored (only "prefixes" is read)'));
  const invalid: string[] = [];
  const records: IpamRecord[] = [];
  const seen = new Map<string, string>();
  const label = (item: unknown, i: number): string =>
    `prefixes[${i}]${isObject(item) && typeof item.cidr === 'string' ? ` (${item.cidr})` : ''}`;
  forEachItem(doc.prefixes, label, origin, problems, (item, i) => {
    if (!isObject(item)) throw new ItemProblem(`is ${describe(item)}, expected a mapping with cidr and attributes`);
    const cells: Record<string, string> = {};
    let tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(item)) {
      if (key === 'tags') tags = yamlTags(value);
      else if (key === 'cidr' || ATTRS.has(key)) {
        const text = scalarText(value, key);
        if (text !== undefined) cells[key] = text;
      } else throw new ItemProblem(`unknown key "${key}"${nearest(key)} (free-form keys go under tags:)`);
    }
    records.push(toRecord(cells, tags, origin, `prefixes[${i}]`, seen));
  }, invalid);
  return { records, problems, ...invalidLines(invalid) };
}

function readStaticCsv(text: string, origin: string): IpamReadResult {
  let rows;
  try {
    rows = parseCsv(text).filter((r) => r.fields.some((f) => f.trim() !== ''));
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new IpamSourceError(origin, `not valid CSV: ${err.message}`);
    throw err;
  }
  const [header, ...data] = rows;
  if (!header) throw new IpamSourceError(origin, 'empty CSV: expected a header row with a cidr column');
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  columns.forEach((col, i) => {
    if (col !== 'cidr' && col !== 'tags' && !ATTRS.has(col)) {
      throw new IpamSourceError(origin, `header column ${i + 1} "${header.fields[i]}" is not cidr, tags or an attribute${nearest(col)}`);
    }
    if (columns.indexOf(col) !== i) throw new IpamSourceError(origin, `header column ${i + 1} "${col}" repeats column ${columns.indexOf(col) + 1}`);
  });
  if (!columns.includes('cidr')) throw new IpamSourceError(origin, `header has no cidr column (found: ${columns.join(', ')})`);
  const problems: string[] = [];
  const invalid: string[] = [];
  const records: IpamRecord[] = [];
  const seen = new Map<string, string>();
  const cidrAt = columns.indexOf('cidr');
  const label = (row: (typeof data)[number]): string => `line ${row.line}${row.fields[cidrAt] ? ` (${row.fields[cidrAt].trim()})` : ''}`;
  forEachItem(data, label, origin, problems, (row) => {
    // fewer fields than columns is a hand-written short row; more means an unquoted comma shifted the columns
    if (row.fields.length > columns.length) throw new ItemProblem(`${row.fields.length} fields but the header has ${columns.length} (a value with a comma must be quoted)`);
    const cells: Record<string, string> = {};
    let tags: Record<string, string> = {};
    row.fields.forEach((raw, i) => {
      const value = raw.trim();
      const col = columns[i] as string;
      if (value === '') return;
      if (col === 'tags') tags = csvTags(value);
      else cells[col] = value;
    });
    records.push(toRecord(cells, tags, origin, `line ${row.line}`, seen));
  }, invalid);
  return { records, problems, ...invalidLines(invalid) };
}

function toRecord(cells: Record<string, string>, tags: Record<string, string>, origin: string, item: string, seen: Map<string, string>): IpamRecord {
  const { cidr: rawCidr, ...attrs } = cells;
  if (rawCidr === undefined) throw new ItemProblem('cidr is missing');
  const cidr = cidrOrProblem(rawCidr, 'cidr');
  const earlier = seen.get(cidr);
  if (earlier !== undefined) throw new ItemProblem(`cidr ${cidr} is already given by ${earlier}`);
  seen.set(cidr, item);
  return withTags({ cidr, source: 'static' as const, origin: `${origin}#${item}`, attrs: attrs as Partial<Record<IpamAttribute, string>> }, tags);
}

/** YAML `~`/`null` and an empty value mean unset; they arrive as text under the failsafe schema. */
function scalarText(value: unknown, key: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new ItemProblem(`${key} is ${describe(value)}, expected a single value`);
  const text = value.trim();
  return text === '' || text === '~' || text === 'null' ? undefined : text;
}

function yamlTags(value: unknown): Record<string, string> {
  if (value === null || value === undefined || value === '') return {};
  if (!isObject(value)) throw new ItemProblem(`tags is ${describe(value)}, expected a mapping of key: value`);
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) tags[k] = scalarText(v, `tags.${k}`) ?? '';
  return tags;
}

/** `k=v;k2=v2`: split on the first "=" so values may contain "="; ";" cannot be escaped. */
function csvTags(cell: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of cell.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? '' : part.slice(0, eq)).trim();
    if (key === '') throw new ItemProblem(`tags entry ${JSON.stringify(part.trim())} is not key=value`);
    tags[key] = part.slice(eq + 1).trim();
  }
  return tags;
}

/** A hint for the likeliest intended attribute, e.g. "ownr" -> owner. */
function nearest(key: string): string {
  const candidates = ['cidr', 'tags', ...IPAM_ATTRIBUTES];
  const best = candidates.map((c) => ({ c, d: editDistance(key.toLowerCase(), c) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 2 ? ` (did you mean "${best.c}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
